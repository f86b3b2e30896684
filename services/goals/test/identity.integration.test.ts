import { randomBytes, randomUUID } from "node:crypto";
import {
  DEFAULT_WEB_REDIRECT_URI,
  localIssuerTrust,
  requestServiceToken,
  signInWithPassword,
} from "@okr/identity-provider";
import { startTemporaryIdentityProvider } from "@okr/identity-provider/testing";
import { signToken } from "@okr/service-kit";
import { startTestService } from "@okr/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { goalsService } from "../src/service.ts";
import type { GoalsTestService } from "./support.ts";

// The goals service configured as `npm start` configures it: trusting the local identity provider
// (a real one, on a private port), with no shared HS256 secret.
const tenantId = randomUUID();
const serviceSecret = randomBytes(16).toString("hex");
const account = (sub: string, name: string, groups: string[]) => ({
  sub,
  email: `${sub}@acme.example`,
  name,
  password: `${sub}-pw`,
  tenant: tenantId,
  groups,
});
const accounts = [
  account("ada", "Ada", ["okr-admins"]),
  account("max", "Max", ["okr-members"]),
  account("eve", "Eve", ["okr-members"]),
  account("zoe", "Zoe", ["okr-members"]),
];
const idp = await startTemporaryIdentityProvider({
  accounts,
  webRedirectUris: [DEFAULT_WEB_REDIRECT_URI],
  serviceClientSecret: serviceSecret,
});
let service: GoalsTestService;

beforeAll(async () => {
  service = await startTestService(goalsService, {
    AUTH_ISSUERS: JSON.stringify([localIssuerTrust(idp.issuer)]),
    AUTH_JWT_SECRET: "",
  });
});
afterAll(async () => {
  await service?.stop();
  await idp.close();
});

const signIn = async (email: string, password: string) =>
  (await signInWithPassword({ issuer: idp.issuer, redirectUri: DEFAULT_WEB_REDIRECT_URI, email, password }))
    .accessToken as string;
/** A demo account's access token, as the web app would hold it after the browser signed in. */
const tokenOf = (sub: string) => signIn(`${sub}@acme.example`, `${sub}-pw`);
const call = (token: string, method: "GET" | "PUT", payload?: object) =>
  service.app.inject({
    method,
    url: "/organization",
    headers: { authorization: `Bearer ${token}` },
    ...(payload ? { payload } : {}),
  });
/** Any request as the holder of `token`: status and body. */
const as = async (token: string, method: string, url: string, payload?: object) => {
  const response = await service.app.inject({
    method: method as "GET",
    url,
    headers: { authorization: `Bearer ${token}` },
    ...(payload ? { payload } : {}),
  });
  return { status: response.statusCode, body: response.body ? response.json() : null };
};
const ok = async (token: string, method: string, url: string, payload?: object) => {
  const { status, body } = await as(token, method, url, payload);
  if (status >= 300) throw new Error(`${method} ${url} -> ${status}: ${JSON.stringify(body)}`);
  return body;
};
const auditOf = async (token: string, personId: string, action: string) =>
  ((await ok(token, "GET", `/audit?entityId=${personId}`)).items as { action: string }[]).filter(
    (entry) => entry.action === action,
  );

let ada: string;
let max: string;
let people: { ada: string; max: string };
let keyResultId: string;
const checkIn = { value: 15, confidence: 0.7, note: "moving", evidence: { url: "https://ci.example/lead" } };

describe("people signed in through the identity provider", () => {
  it("lets an administrator set the organization up before anyone is provisioned; refuses a member who is nobody", async () => {
    ada = await tokenOf("ada");
    max = await tokenOf("max");
    const created = await call(ada, "PUT", { name: "Acme", mission: "Ship weekly." });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ name: "Acme", selfJoin: false });
    expect((await as(ada, "GET", "/me")).status).toBe(404);

    const refused = await call(max, "GET");
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ type: expect.stringMatching(/person-not-provisioned$/) });
    expect(refused.json().detail).toContain("max@acme.example");
    expect(await service.runtime.db.identityLink.count({ where: { tenantId } })).toBe(0);
  });

  it("links each sign-in to the person with its verified email on first use, once, and audits it", async () => {
    const adaPerson = await ok(ada, "POST", "/people", {
      name: "Ada",
      email: "ADA@acme.example",
      roles: ["admin"],
    });
    const maxPerson = await ok(ada, "POST", "/people", {
      name: "Max",
      email: "max@acme.example",
      roles: ["member"],
    });
    people = { ada: adaPerson.id, max: maxPerson.id };

    for (let n = 0; n < 3; n++) {
      expect(await ok(ada, "GET", "/me")).toMatchObject({
        id: people.ada,
        name: "Ada",
        roles: ["admin"],
        identity: { issuer: idp.issuer, subject: "ada" },
      });
      expect(await ok(max, "GET", "/me")).toMatchObject({ id: people.max, roles: ["member"], teams: [] });
    }
    expect(await auditOf(ada, people.ada, "identity.linked")).toHaveLength(1);
    expect(await auditOf(ada, people.max, "identity.linked")).toHaveLength(1);
    expect(
      await service.runtime.db.identityLink.findMany({ where: { tenantId }, orderBy: { subject: "asc" } }),
    ).toEqual([
      expect.objectContaining({ issuer: idp.issuer, subject: "ada", personId: people.ada }),
      expect.objectContaining({ issuer: idp.issuer, subject: "max", personId: people.max }),
    ]);
    // A member reads the organization and may not change it: roles still come from the token.
    expect((await call(max, "GET")).json()).toMatchObject({ name: "Acme" });
    expect((await call(max, "PUT", { name: "Max's company", mission: "Mine." })).statusCode).toBe(403);
  });

  it("acts as their person: team membership, ownership and the recorded author are the person's", async () => {
    const team = await ok(ada, "POST", "/teams", { name: "Platform", memberIds: [people.max] });
    const now = Date.now();
    const cycle = await ok(ada, "POST", "/cycles", {
      name: "2026-Q4",
      startsAt: new Date(now - 30 * 86_400_000).toISOString(),
      endsAt: new Date(now + 60 * 86_400_000).toISOString(),
      timeZone: "Europe/Berlin",
    });
    expect(await ok(max, "GET", "/me")).toMatchObject({
      teams: [{ teamId: team.id, name: "Platform", role: "member" }],
    });

    const objective = await ok(max, "POST", "/objectives", {
      cycleId: cycle.id,
      title: "Flow",
      kind: "committed",
      owner: { kind: "person", id: people.max },
      keyResults: [{ title: "Cut lead time", type: "decrease-to", baseline: 20, target: 5, unit: "days" }],
    });
    keyResultId = objective.keyResults[0].id;
    const written = await ok(max, "POST", `/key-results/${keyResultId}/check-ins`, checkIn);
    expect(written).toMatchObject({ authorId: people.max, value: 15 });
    // An administrator may check in on Max's KR too; the check-in is recorded as hers.
    const byAda = await ok(ada, "POST", `/key-results/${keyResultId}/check-ins`, { ...checkIn, value: 14 });
    expect(byAda.authorId).toBe(people.ada);
  });

  it("refuses a person the identity provider deactivated, on every route and on the check-in path", async () => {
    const { token } = await ok(ada, "POST", "/scim-token");
    const deactivate = await service.app.inject({
      method: "PATCH",
      url: `/scim/v2/Users/${people.max}`,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/scim+json" },
      payload: JSON.stringify({
        schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        Operations: [{ op: "replace", path: "active", value: false }],
      }),
    });
    expect(deactivate.statusCode).toBe(200);
    const before = await ok(ada, "GET", `/key-results/${keyResultId}/check-ins`);

    expect((await call(max, "GET")).statusCode).toBe(403);
    const refused = await as(max, "POST", `/key-results/${keyResultId}/check-ins`, { ...checkIn, value: 9 });
    expect(refused.status).toBe(403);
    expect(refused.body.detail).toMatch(/deactivated/);
    // A fresh sign-in is the same identity: still refused.
    expect((await as(await tokenOf("max"), "GET", "/me")).status).toBe(403);
    expect(await ok(ada, "GET", `/key-results/${keyResultId}/check-ins`)).toEqual(before);
  });

  it("lets a sign-in join as a member once the organization allows self-join, and only once", async () => {
    const eve = await tokenOf("eve");
    expect((await as(eve, "GET", "/me")).status).toBe(403);
    expect(await service.runtime.db.person.count({ where: { tenantId, email: "eve@acme.example" } })).toBe(0);

    const opened = await call(ada, "PUT", { name: "Acme", mission: "Ship weekly.", selfJoin: true });
    expect(opened.json()).toMatchObject({ selfJoin: true });
    const joined = await ok(eve, "GET", "/me");
    expect(joined).toMatchObject({ name: "Eve", email: "eve@acme.example", roles: ["member"], teams: [] });
    expect(await auditOf(ada, joined.id, "person.self-joined")).toHaveLength(1);
    // An update that does not mention selfJoin leaves it as it was.
    expect((await call(ada, "PUT", { name: "Acme", mission: "Ship daily." })).json()).toMatchObject({
      selfJoin: true,
    });

    // Five first requests at once: one person, one link.
    const zoe = await tokenOf("zoe");
    const answers = await Promise.all(Array.from({ length: 5 }, () => ok(zoe, "GET", "/me")));
    expect(new Set(answers.map((me) => me.id)).size).toBe(1);
    expect(await service.runtime.db.person.count({ where: { tenantId, email: "zoe@acme.example" } })).toBe(1);
    expect(await service.runtime.db.identityLink.count({ where: { tenantId, subject: "zoe" } })).toBe(1);
  });
});

describe("the goals service signed in to through the identity provider", () => {
  it("accepts a service token by client credentials for the tenant it names", async () => {
    const token = await requestServiceToken({ issuer: idp.issuer, clientSecret: serviceSecret, tenantId });
    expect((await call(token, "GET")).json()).toMatchObject({ name: "Acme" });
    expect((await as(token, "GET", "/me")).status).toBe(404);
  });

  it("refuses HS256 tokens: without the shared secret nobody can mint one", async () => {
    const forged = await signToken(
      { secret: "integration-test-secret-0123456789", issuer: "okr-platform" },
      { tenantId, subject: people.ada, roles: ["admin"] },
    );
    const response = await call(forged, "PUT", { name: "Forged", mission: "x" });
    expect(response.statusCode).toBe(401);
    expect(response.headers["www-authenticate"]).toMatch(/error="invalid_token"/);
    expect((await call(ada, "GET")).json()).toMatchObject({ name: "Acme" });
  });
});
