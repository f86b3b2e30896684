import { isUuid } from "@okr/events";
import { forbidden, problemResponse } from "@okr/service-kit";
import type { FastifyInstance, FastifySchema } from "fastify";
import type pg from "pg";
import { isDeactivated } from "./repositories/people.ts";

declare module "fastify" {
  interface FastifyContextConfig {
    /** The route checks the caller's active state in its own lookup query (the check-in hot path). */
    actorCheckedInline?: boolean;
  }
}

export const personDeactivated = () =>
  forbidden("this person has been deactivated by the organization's identity provider and can no longer act");

/**
 * A deactivated person can no longer act: a request whose token names one (its subject is their id) is
 * a 403 on every route. Callers that are not people of the tenant (service tokens, SCIM) pass; routes on
 * the check-in hot path fold the check into the query they make anyway.
 */
export function refuseDeactivatedPeople(app: FastifyInstance, pool: pg.Pool): void {
  app.addHook("onRoute", (route) => {
    if (route.config?.public) return;
    const schema = (route.schema ?? {}) as FastifySchema & { hide?: boolean };
    if (schema.hide) return;
    const response = (schema.response ?? {}) as Record<string, unknown>;
    if (!response[403]) route.schema = { ...schema, response: { ...response, 403: problemResponse(403) } };
  });
  app.addHook("onRequest", async (request) => {
    const config = request.routeOptions.config;
    if (config?.public || config?.actorCheckedInline || request.is404) return;
    const { principal } = request;
    if (!principal || principal.roles.includes("service") || !isUuid(principal.subject)) return;
    if (await isDeactivated(pool, principal.tenantId, principal.subject)) throw personDeactivated();
  });
}
