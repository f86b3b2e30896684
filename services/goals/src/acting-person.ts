import { isUuid } from "@okr/events";
import { forbidden, type Principal, Problem, problemResponse, type SignInIdentity } from "@okr/service-kit";
import type { FastifyInstance, FastifySchema } from "fastify";
import { linkOnFirstSignIn } from "./repositories/identity-links.ts";
import { isDeactivated } from "./repositories/people.ts";
import type { GoalsRuntime } from "./service.ts";

declare module "fastify" {
  interface FastifyContextConfig {
    /** The route checks the caller's active state in its own lookup query (the check-in hot path). */
    actorCheckedInline?: boolean;
  }
}

export const personDeactivated = () =>
  forbidden("this person has been deactivated by the organization's identity provider and can no longer act");

const notProvisioned = (identity: SignInIdentity) =>
  new Problem(
    403,
    "person-not-provisioned",
    "Not a person of this organization",
    identity.email && identity.emailVerified
      ? `nobody of this organization has the email ${identity.email}: an administrator adds them (POST /people or SCIM), or allows self-join (PUT /organization)`
      : "this sign-in carries no verified email to link it to a person of the organization: an administrator adds them, or the identity provider sends email_verified",
  );

/** How long a sign-in's person is remembered; the check-in path re-reads `active` in its own query. */
const LINK_TTL_MS = 60_000;
const LINK_CACHE_SIZE = 10_000;

/**
 * Who acts on a request. A token from an OpenID Connect issuer names the issuer's subject: it acts as the
 * goals person linked to it (linked on first sign-in by verified email, or created there when the
 * organization allows self-join), so ownership, team membership, deactivation and the actor recorded
 * with each write all speak of people. An identity linked to nobody is refused, except an administrator
 * setting the organization up before anyone is provisioned, who acts as the issuer's subject. A
 * deactivated person is a 403 on every route; service tokens and SCIM's own token are not people.
 */
export function actAsPeople(app: FastifyInstance, runtime: GoalsRuntime): void {
  const { db, pool } = runtime;
  const links = new Map<string, { personId: string; expiresAtMs: number }>();
  app.addHook("onRoute", (route) => {
    if (route.config?.public) return;
    const schema = (route.schema ?? {}) as FastifySchema & { hide?: boolean };
    if (schema.hide) return;
    const response = (schema.response ?? {}) as Record<string, unknown>;
    if (!response[403]) route.schema = { ...schema, response: { ...response, 403: problemResponse(403) } };
  });
  /** The person a sign-in is, with `active` when it was read now (a cache hit leaves that to the caller). */
  const personOf = async (principal: Principal, identity: SignInIdentity) => {
    const key = `${principal.tenantId}\n${identity.issuer}\n${identity.subject}`;
    const cached = links.get(key);
    if (cached && Date.now() < cached.expiresAtMs) return { id: cached.personId, active: undefined };
    // A known link answers in one lookup; a first sign-in links (or joins) here.
    const result = await linkOnFirstSignIn(db, { ...identity, tenantId: principal.tenantId });
    if (!("personId" in result)) return undefined;
    const person = { id: result.personId, active: result.active };
    if (links.size >= LINK_CACHE_SIZE) links.delete(links.keys().next().value as string);
    links.set(key, { personId: person.id, expiresAtMs: Date.now() + LINK_TTL_MS });
    return person;
  };
  app.addHook("onRequest", async (request) => {
    const config = request.routeOptions.config;
    if (config?.public || request.is404) return;
    const { principal } = request;
    if (!principal || principal.roles.includes("service")) return;
    let active: boolean | undefined;
    if (principal.identity) {
      const person = await personOf(principal, principal.identity);
      if (!person) {
        if (principal.roles.includes("admin")) return;
        throw notProvisioned(principal.identity);
      }
      request.principal = { ...principal, subject: person.id };
      active = person.active;
    }
    if (active === undefined) {
      if (config?.actorCheckedInline || !isUuid(request.principal.subject)) return;
      active = !(await isDeactivated(pool, principal.tenantId, request.principal.subject));
    }
    if (!active) throw personDeactivated();
  });
}
