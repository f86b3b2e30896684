import { randomUUID } from "node:crypto";
import { GOALS_TOPICS } from "@okr/events";
import { findMessage } from "@okr/testkit";
import { describe, expect, it } from "vitest";
import { linkOnFirstSignIn } from "../src/repositories/identity-links.ts";
import { Client, draftObjective, type Json, startGoalsWithOrganizations } from "./support.ts";

const PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
const ERROR = "urn:ietf:params:scim:api:messages:2.0:Error";

/** What an identity provider sends: its provisioning token and application/scim+json. */
async function scim(token: string | undefined, method: string, url: string, payload?: unknown) {
  const response = await service.app.inject({
    method: method as "GET",
    url,
    headers: {
      ...(token !== undefined ? { authorization: `Bearer ${token}` } : {}),
      ...(payload !== undefined ? { "content-type": "application/scim+json" } : {}),
    },
    ...(payload !== undefined ? { payload: JSON.stringify(payload) } : {}),
  });
  return {
    status: response.statusCode,
    type: String(response.headers["content-type"]),
    body: (response.body ? response.json() : null) as Json,
  };
}

const filterUrl = (resource: string, filter: string) =>
  `/scim/v2/${resource}?filter=${encodeURIComponent(filter)}`;

const entraUser = (userName: string, extra: object = {}) => ({
  schemas: [USER, "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
  externalId: randomUUID(),
  userName,
  active: true,
  displayName: "Alex Doe",
  name: { formatted: "Alex Doe", givenName: "Alex", familyName: "Doe" },
  emails: [{ primary: true, type: "work", value: userName }],
  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": { department: "Platform" },
  ...extra,
});

const checkIn = { value: 12, confidence: 0.6, note: "moving", evidence: { url: "https://ci.example/lead" } };

const { service, orgs } = await startGoalsWithOrganizations(["Acme", "Globex"]);
const [a, b] = orgs;
const tokenA: string = (await a.admin.ok("POST", "/scim-token")).token;
let tokenB: string = (await b.admin.ok("POST", "/scim-token")).token;
const keyResultId: string = (await draftObjective(a)).keyResults[0].id;

describe("SCIM users", () => {
  it("provisions a person, finds them by userName, and Entra's active=False stops them acting until True", async () => {
    const userName = `alex-${randomUUID()}@contoso.example`;
    const created = await scim(tokenA, "POST", "/scim/v2/Users", entraUser(userName));
    expect(created.status).toBe(201);
    expect(created.type).toContain("application/scim+json");
    expect(created.body).toMatchObject({
      schemas: [USER],
      userName,
      displayName: "Alex Doe",
      name: { givenName: "Alex", familyName: "Doe" },
      emails: [{ value: userName, primary: true }],
      active: true,
      meta: { resourceType: "User", location: `/scim/v2/Users/${created.body.id}` },
    });
    const id: string = created.body.id;

    // Entra looks the user up by userName before it creates or changes them (case does not matter).
    const found = await scim(tokenA, "GET", filterUrl("Users", `userName eq "${userName.toUpperCase()}"`));
    expect(found.status).toBe(200);
    expect(found.body).toMatchObject({
      schemas: ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
      totalResults: 1,
      startIndex: 1,
      itemsPerPage: 1,
    });
    expect(found.body.Resources[0].id).toBe(id);
    const missing = await scim(tokenA, "GET", filterUrl("Users", 'userName eq "nobody@contoso.example"'));
    expect(missing.body).toMatchObject({ totalResults: 0, Resources: [] });

    // The provisioned person is a goals member; in the owning team they may check in.
    expect(await a.admin.ok("GET", `/people/${id}`)).toMatchObject({
      name: "Alex Doe",
      email: userName,
      roles: ["member"],
      active: true,
    });
    await a.admin.ok("PATCH", `/teams/${a.teamId}`, { memberIds: [a.member.subject, id] });
    const alex = new Client(service, a.admin.tenantId, id, ["member"]);
    expect((await alex.post(`/key-results/${keyResultId}/check-ins`, checkIn)).status).toBe(201);

    const deactivate = await scim(tokenA, "PATCH", `/scim/v2/Users/${id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: "Replace", path: "active", value: "False" }],
    });
    expect(deactivate.status).toBe(200);
    expect(deactivate.body.active).toBe(false);

    const refused = await alex.post(`/key-results/${keyResultId}/check-ins`, checkIn);
    expect(refused.status).toBe(403);
    expect(refused.headers["content-type"]).toContain("application/problem+json");
    expect(refused.body.detail).toMatch(/deactivated/);
    const bulk = await alex.post("/check-ins/bulk", { checkIns: [{ keyResultId, ...checkIn }] });
    expect(bulk.status).toBe(403);
    expect((await alex.get(`/objectives?cycleId=${a.cycleId}`)).status).toBe(403);
    // Nobody else is affected: the team's other member still checks in, the admin still reads.
    expect((await a.member.post(`/key-results/${keyResultId}/check-ins`, checkIn)).status).toBe(201);
    expect(await a.admin.ok("GET", `/people/${a.member.subject}`)).toMatchObject({ active: true });
    const history = await a.admin.ok("GET", `/key-results/${keyResultId}/check-ins?limit=100`);
    expect(history.items.filter((c: Json) => c.authorId === id)).toHaveLength(1);

    // Okta's form: no path, a value object with a real boolean.
    const reactivate = await scim(tokenA, "PATCH", `/scim/v2/Users/${id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: "replace", value: { active: true } }],
    });
    expect(reactivate.body.active).toBe(true);
    expect((await alex.post(`/key-results/${keyResultId}/check-ins`, checkIn)).status).toBe(201);

    const audit = await a.admin.ok("GET", `/audit?entityId=${id}`);
    const actions = audit.items.map((e: Json) => e.action);
    expect(actions.filter((x: string) => x === "person.created")).toHaveLength(1);
    expect(actions.filter((x: string) => x === "person.updated")).toHaveLength(2);
    expect(
      audit.items.every((e: Json) => e.actorId.startsWith("scim-token:") || e.actorId === a.admin.subject),
    ).toBe(true);
  });

  it("applies Entra's attribute patches (path-less dotted keys, email value paths) and PUT; DELETE deactivates", async () => {
    const userName = `kim-${randomUUID()}@contoso.example`;
    const { body: user } = await scim(tokenA, "POST", "/scim/v2/Users", entraUser(userName));
    const mail = `kim.new-${randomUUID()}@contoso.example`;
    const patched = await scim(tokenA, "PATCH", `/scim/v2/Users/${user.id}`, {
      schemas: [PATCH_OP],
      Operations: [
        { op: "Add", value: { "name.givenName": "Kimberly", displayName: "Kimberly Doe" } },
        { op: "Replace", path: 'emails[type eq "work"].value', value: mail },
        {
          op: "Replace",
          path: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
          value: "Ops",
        },
        { op: "Remove", path: "externalId" },
      ],
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      userName,
      displayName: "Kimberly Doe",
      name: { givenName: "Kimberly", familyName: "Doe" },
      emails: [{ value: mail }],
      active: true,
    });
    expect(patched.body.externalId).toBeUndefined();
    expect(await a.admin.ok("GET", `/people/${user.id}`)).toMatchObject({
      name: "Kimberly Doe",
      email: mail,
    });

    const replaced = await scim(
      tokenA,
      "PUT",
      `/scim/v2/Users/${user.id}`,
      entraUser(userName, { displayName: "Kim D" }),
    );
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ displayName: "Kim D", emails: [{ value: userName }] });

    const bad = await scim(tokenA, "PATCH", `/scim/v2/Users/${user.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: "Replace", path: "active", value: "maybe" }],
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ schemas: [ERROR], status: "400", scimType: "invalidValue" });

    expect((await scim(tokenA, "DELETE", `/scim/v2/Users/${user.id}`)).status).toBe(204);
    expect(await a.admin.ok("GET", `/people/${user.id}`)).toMatchObject({ active: false, name: "Kim D" });
    const again = await scim(tokenA, "POST", "/scim/v2/Users", entraUser(userName));
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ schemas: [ERROR], status: "409", scimType: "uniqueness" });

    // The same person sent twice at once (a provider retrying): one is created, the other is a 409.
    const twin = entraUser(`twin-${randomUUID()}@contoso.example`);
    const both = await Promise.all([1, 2].map(() => scim(tokenA, "POST", "/scim/v2/Users", twin)));
    expect(both.map((r) => r.status).sort()).toEqual([201, 409]);
    expect(both.find((r) => r.status === 409)?.body.scimType).toBe("uniqueness");
    const twins = await scim(tokenA, "GET", filterUrl("Users", `userName eq "${twin.userName}"`));
    expect(twins.body.totalResults).toBe(1);
  });

  it("refuses a filter it cannot read with invalidFilter, and pages with startIndex and count", async () => {
    for (const filter of ['userName co "a"', 'title eq "x"', "userName eq", 'userName eq "a" or id eq "b"']) {
      const answer = await scim(tokenA, "GET", filterUrl("Users", filter));
      expect(answer.status, filter).toBe(400);
      expect(answer.type).toContain("application/scim+json");
      expect(answer.body).toMatchObject({ schemas: [ERROR], status: "400", scimType: "invalidFilter" });
    }
    const all = await scim(tokenA, "GET", "/scim/v2/Users?count=200");
    const second = await scim(tokenA, "GET", "/scim/v2/Users?startIndex=2&count=1");
    expect(second.body).toMatchObject({
      totalResults: all.body.totalResults,
      startIndex: 2,
      itemsPerPage: 1,
    });
    expect(second.body.Resources[0].id).toBe(all.body.Resources[1].id);
  });
});

describe("SCIM groups", () => {
  it("provisions a team with members, shows it in the team API, and adds and removes members", async () => {
    const person = async () =>
      (await scim(tokenA, "POST", "/scim/v2/Users", entraUser(`p-${randomUUID()}@contoso.example`))).body.id;
    const [p1, p2, p3] = [await person(), await person(), await person()];
    const before = await a.admin.ok("GET", `/teams/${a.teamId}`);

    const created = await scim(tokenA, "POST", "/scim/v2/Groups", {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"],
      displayName: "Data guild",
      externalId: "grp-1",
      members: [{ value: p1 }, { value: p2 }],
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ displayName: "Data guild", externalId: "grp-1" });
    const id: string = created.body.id;
    const team = await a.admin.ok("GET", `/teams/${id}`);
    expect(team).toMatchObject({ name: "Data guild", parentTeamId: null, leaderIds: [] });
    expect(team.memberIds).toEqual([p1, p2].sort());

    // Entra: Add / Remove with a member list; Okta: remove by value filter, rename in a path-less replace.
    const entra = await scim(tokenA, "PATCH", `/scim/v2/Groups/${id}`, {
      schemas: [PATCH_OP],
      Operations: [
        { op: "Add", path: "members", value: [{ value: p3 }] },
        { op: "Remove", path: "members", value: [{ value: p2 }] },
      ],
    });
    expect(entra.status).toBe(204);
    expect((await a.admin.ok("GET", `/teams/${id}`)).memberIds).toEqual([p1, p3].sort());
    const okta = await scim(tokenA, "PATCH", `/scim/v2/Groups/${id}`, {
      schemas: [PATCH_OP],
      Operations: [
        { op: "remove", path: `members[value eq "${p1}"]` },
        { op: "replace", value: { id, displayName: "Data platform" } },
      ],
    });
    expect(okta.status).toBe(204);
    expect(await a.admin.ok("GET", `/teams/${id}`)).toMatchObject({ name: "Data platform", memberIds: [p3] });

    const byName = await scim(
      tokenA,
      "GET",
      `${filterUrl("Groups", 'displayName eq "data platform"')}&excludedAttributes=members`,
    );
    expect(byName.body.totalResults).toBe(1);
    expect(byName.body.Resources[0]).toMatchObject({ id, displayName: "Data platform" });
    expect(byName.body.Resources[0].members).toBeUndefined();

    const unknown = await scim(tokenA, "PATCH", `/scim/v2/Groups/${id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: "Add", path: "members", value: [{ value: b.member.subject }] }],
    });
    expect(unknown.status).toBe(400);
    expect((await a.admin.ok("GET", `/teams/${id}`)).memberIds).toEqual([p3]);

    // Like the team API: every change is announced (okr.team.changed.v1) and audited.
    const event = await findMessage(GOALS_TOPICS.teams, (m) => m.key === id);
    expect(JSON.parse(event.value?.toString() ?? "{}").data).toMatchObject({ teamId: id, removed: false });
    const audit = await a.admin.ok("GET", `/audit?entityId=${id}`);
    expect(audit.items.map((e: Json) => [e.action, e.changes])).toEqual([
      ["team.created", { displayName: "Data guild", externalId: "grp-1", memberIds: [p1, p2].sort() }],
      ["team.updated", { addedMemberIds: [p3], removedMemberIds: [p2] }],
      ["team.updated", { displayName: "Data platform", removedMemberIds: [p1] }],
    ]);

    // Teams SCIM did not name are as they were.
    expect(await a.admin.ok("GET", `/teams/${a.teamId}`)).toEqual(before);
    expect((await scim(tokenA, "DELETE", `/scim/v2/Groups/${id}`)).status).toBe(204);
    expect((await a.admin.get(`/teams/${id}`)).status).toBe(404);
    expect((await a.admin.get(`/people/${p3}`)).status).toBe(200);
  });
});

describe("SCIM authentication and tenancy", () => {
  it("answers 401 in SCIM's format without the tenant's provisioning token", async () => {
    const jwt = await service.token(["admin"], a.admin.tenantId);
    for (const token of [undefined, "", jwt, `scim_${randomUUID()}`, `${tokenA}x`]) {
      const answer = await scim(token, "GET", "/scim/v2/Users");
      expect(answer.status).toBe(401);
      expect(answer.type).toContain("application/scim+json");
      expect(answer.body).toMatchObject({ schemas: [ERROR], status: "401" });
    }
    // The provisioning token is no JWT: it opens nothing outside /scim/v2.
    const elsewhere = await service.app.inject({
      method: "GET",
      url: "/people",
      headers: { authorization: `Bearer ${tokenA}` },
    });
    expect(elsewhere.statusCode).toBe(401);
    // Only admins create one; the token's text is never shown again.
    expect((await a.member.post("/scim-token")).status).toBe(403);
    expect(await a.admin.ok("GET", "/scim-token")).not.toHaveProperty("token");
  });

  it("keeps each tenant's people and teams to its own token", async () => {
    const userName = `jo-${randomUUID()}@contoso.example`;
    const { body: jo } = await scim(tokenA, "POST", "/scim/v2/Users", entraUser(userName));
    const lookup = await scim(tokenB, "GET", filterUrl("Users", `userName eq "${userName}"`));
    expect(lookup.body).toMatchObject({ totalResults: 0, Resources: [] });
    expect((await scim(tokenB, "GET", `/scim/v2/Users/${jo.id}`)).status).toBe(404);
    const patch = await scim(tokenB, "PATCH", `/scim/v2/Users/${jo.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: "Replace", path: "active", value: "False" }],
    });
    expect(patch.status).toBe(404);
    expect((await scim(tokenB, "DELETE", `/scim/v2/Users/${jo.id}`)).status).toBe(404);
    expect((await scim(tokenB, "GET", `/scim/v2/Groups/${a.teamId}`)).status).toBe(404);
    const listB = await scim(tokenB, "GET", "/scim/v2/Users?count=200");
    expect(listB.body.Resources.map((u: Json) => u.id)).not.toContain(jo.id);
    // B may provision the same login name: it is another organization.
    expect((await scim(tokenB, "POST", "/scim/v2/Users", entraUser(userName))).status).toBe(201);
    expect((await scim(tokenA, "GET", `/scim/v2/Users/${jo.id}`)).body).toMatchObject({
      active: true,
      userName,
    });
  });

  it("rotating the token retires the old one and is audited", async () => {
    const old = tokenB;
    const rotated = await b.admin.ok("POST", "/scim-token");
    expect(rotated.token).not.toBe(old);
    expect((await scim(old, "GET", "/scim/v2/Users")).status).toBe(401);
    expect((await scim(rotated.token, "GET", "/scim/v2/Users")).status).toBe(200);
    tokenB = rotated.token;
    const audit = await b.admin.ok("GET", `/audit?entityId=${rotated.id}`);
    expect(audit.items).toMatchObject([
      { action: "scim-token.created", actorId: b.admin.subject, changes: {} },
    ]);
    expect(JSON.stringify(audit)).not.toContain(rotated.token);
  });

  it("documents the SCIM routes with their media type, token and SCIM errors", async () => {
    const docs = await service.app.inject({ method: "GET", url: "/docs/json" });
    expect(docs.statusCode).toBe(200);
    const operation = docs.json().paths["/scim/v2/Users"].post;
    expect(Object.keys(operation.requestBody.content)).toEqual(["application/scim+json", "application/json"]);
    expect(Object.keys(operation.responses["201"].content)).toEqual(["application/scim+json"]);
    for (const status of ["400", "401", "409", "503"])
      expect(Object.keys(operation.responses[status].content), status).toEqual(["application/scim+json"]);
  });

  it("describes itself without a token", async () => {
    const config = await scim(undefined, "GET", "/scim/v2/ServiceProviderConfig");
    expect(config.status).toBe(200);
    expect(config.body).toMatchObject({ patch: { supported: true }, filter: { supported: true } });
    const types = await scim(undefined, "GET", "/scim/v2/ResourceTypes");
    expect(types.body.Resources.map((t: Json) => t.id)).toEqual(["User", "Group"]);
  });
});

describe("identity links", () => {
  it("links a sign-in to the person with that verified email on first sign-in, once", async () => {
    const db = service.runtime.db;
    const tenantId = a.admin.tenantId;
    const person = await a.admin.ok("GET", `/people/${a.outsider.subject}`);
    const identity = {
      tenantId,
      issuer: "https://idp.example",
      subject: randomUUID(),
      email: person.email.toUpperCase(),
    };
    expect(await linkOnFirstSignIn(db, { ...identity, emailVerified: false })).toEqual({
      outcome: "email-not-verified",
    });
    expect(await linkOnFirstSignIn(db, { ...identity, emailVerified: true })).toEqual({
      outcome: "linked",
      personId: a.outsider.subject,
      active: true,
    });
    expect(
      await linkOnFirstSignIn(db, { ...identity, emailVerified: true, email: "changed@example.com" }),
    ).toEqual({
      outcome: "already-linked",
      personId: a.outsider.subject,
      active: true,
    });
    // Another tenant's person with that email is not this tenant's.
    expect(
      await linkOnFirstSignIn(db, {
        ...identity,
        tenantId: b.admin.tenantId,
        subject: randomUUID(),
        emailVerified: true,
      }),
    ).toEqual({ outcome: "no-person" });
    const links = await db.identityLink.findMany({ where: { personId: a.outsider.subject } });
    expect(links).toHaveLength(1);
    const audit = await a.admin.ok("GET", `/audit?entityId=${a.outsider.subject}`);
    expect(audit.items.filter((e: Json) => e.action === "identity.linked")).toHaveLength(1);
  });
});

describe("SCIM time zone, manager and the people topic", () => {
  const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
  const personEvent = async (personId: string, matches: (data: Json) => boolean) =>
    JSON.parse(
      (
        await findMessage(
          GOALS_TOPICS.people,
          (m) => m.key === personId && matches(JSON.parse(m.value?.toString() ?? "{}").data),
        )
      ).value?.toString() ?? "{}",
    ).data;

  it("keeps a known time zone and a manager of the organization, drops what it cannot keep, and publishes the person", async () => {
    const created = await scim(
      tokenA,
      "POST",
      "/scim/v2/Users",
      entraUser(`tz-${randomUUID()}@acme.example`, {
        timezone: "America/Los_Angeles",
        [ENTERPRISE]: { manager: { value: a.leader.subject } },
      }),
    );
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      timezone: "America/Los_Angeles",
      [ENTERPRISE]: { manager: { value: a.leader.subject } },
    });
    const id = created.body.id;
    expect(await a.admin.ok("GET", `/people/${id}`)).toMatchObject({
      timeZone: "America/Los_Angeles",
      managerId: a.leader.subject,
    });
    await personEvent(id, (d) => d.managerId === a.leader.subject && d.timeZone === "America/Los_Angeles");

    // Entra's forms: the manager as a bare id on the extension's path; an unknown zone and a manager
    // outside the organization are not kept, and provisioning goes on.
    const patched = await scim(tokenA, "PATCH", `/scim/v2/Users/${id}`, {
      schemas: [PATCH_OP],
      Operations: [
        { op: "Replace", path: `${ENTERPRISE}:manager`, value: a.member.subject },
        { op: "Replace", path: "timezone", value: "Mars/Olympus_Mons" },
      ],
    });
    expect(patched.status).toBe(200);
    expect(await a.admin.ok("GET", `/people/${id}`)).toMatchObject({
      timeZone: null,
      managerId: a.member.subject,
    });
    const foreign = await scim(tokenA, "PATCH", `/scim/v2/Users/${id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: "Add", path: `${ENTERPRISE}:manager`, value: b.leader.subject }],
    });
    expect(foreign.status).toBe(200);
    expect((await a.admin.ok("GET", `/people/${id}`)).managerId).toBeNull();

    // Joining a team through SCIM Groups publishes the person with the team.
    const group = await scim(tokenA, "POST", "/scim/v2/Groups", {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"],
      displayName: `tz-team-${randomUUID().slice(0, 8)}`,
      members: [{ value: id }],
    });
    expect(group.status).toBe(201);
    const joined = await personEvent(id, (d) => d.teams.length === 1);
    expect(joined.teams).toEqual([{ teamId: group.body.id, role: "member" }]);
    expect(await scim(tokenA, "DELETE", `/scim/v2/Users/${id}`)).toMatchObject({ status: 204 });
    await personEvent(id, (d) => d.active === false);
  });
});
