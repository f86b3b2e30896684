import { randomUUID } from "node:crypto";
import { DEFAULT_POLICY } from "@okr/goals-domain";
import { beforeAll, describe, expect, it } from "vitest";
import {
  Client,
  draftMemberObjectives,
  type Json,
  outboxSequence,
  startGoalsWithOrganizations,
} from "./support.ts";

const { service, orgs } = await startGoalsWithOrganizations(["Org A", "Org B"]);
const [a, b] = orgs;

/** Everything a tenant holds in goals, as rows: any write shows up here. */
async function rowsOf(tenantId: string) {
  const db = service.runtime.db;
  return JSON.stringify(
    await Promise.all([
      db.organization.findMany({ where: { id: tenantId } }),
      db.person.findMany({ where: { tenantId }, orderBy: { id: "asc" } }),
      db.team.findMany({ where: { tenantId }, orderBy: { id: "asc" } }),
      db.teamMembership.findMany({ where: { tenantId }, orderBy: [{ teamId: "asc" }, { personId: "asc" }] }),
      db.cycle.findMany({ where: { tenantId }, orderBy: { id: "asc" } }),
      db.objective.findMany({ where: { tenantId }, orderBy: { id: "asc" } }),
      db.auditEntry.findMany({ where: { tenantId }, orderBy: { id: "asc" } }),
    ]),
  );
}

const person = (label: string, extra: object = {}) => ({
  name: label,
  email: `${label}-${randomUUID()}@example.com`,
  roles: ["member"],
  ...extra,
});

describe("a tenant without an organization", () => {
  it("can create nothing but the organization: 409 organization-required, nothing stored or published", async () => {
    const tenantId = randomUUID();
    const admin = new Client(service, tenantId, randomUUID(), ["admin"]);
    const worker = new Client(service, tenantId, "cycle-worker", ["service"]);
    const before = { rows: await rowsOf(tenantId), outbox: await outboxSequence(service) };
    const now = Date.now();
    const attempts: [Client, "POST" | "PUT", string, unknown][] = [
      [admin, "POST", "/people", person("pat")],
      [admin, "POST", "/teams", { name: "Platform" }],
      [
        admin,
        "POST",
        "/cycles",
        {
          name: "Q1",
          startsAt: new Date(now).toISOString(),
          endsAt: new Date(now + 80 * 86_400_000).toISOString(),
          timeZone: "UTC",
        },
      ],
      [admin, "PUT", "/organization/policy", DEFAULT_POLICY],
      [worker, "POST", "/teams", { name: "Made by the worker" }],
      [worker, "POST", `/cycles/${randomUUID()}/run`, {}],
    ];
    for (const [client, method, url, payload] of attempts) {
      const response = await client.call(method, url, payload);
      expect([method, url, response.status]).toEqual([method, url, 409]);
      expect(response.headers["content-type"]).toMatch(/application\/problem\+json/);
      expect(response.body.type).toMatch(/\/organization-required$/);
      expect(response.body.detail).toMatch(/PUT \/organization/);
    }
    expect(await rowsOf(tenantId)).toBe(before.rows);
    expect(await outboxSequence(service)).toEqual(before.outbox);

    // Creating the organization is allowed, and then the rest is.
    await admin.ok("PUT", "/organization", { name: "Late Co", mission: "Start with the organization" });
    expect((await admin.post("/people", person("pat"))).status).toBe(201);
    expect((await admin.post("/teams", { name: "Platform" })).status).toBe(201);
  });
});

describe("person ids", () => {
  it("are per tenant: another tenant's person id answers like any free id, and changes nothing of theirs", async () => {
    const aRows = await rowsOf(a.admin.tenantId);
    const takenInA = a.member.subject;
    const withAsId = await b.admin.post("/people", person("twin", { id: takenInA }));
    const withFreeId = await b.admin.post("/people", person("fresh", { id: randomUUID() }));
    expect(withAsId.status).toBe(201);
    expect(withFreeId.status).toBe(201);
    expect(withAsId.body).toMatchObject({ id: takenInA, name: "twin", teams: [] });

    // B's person is B's: B reads, changes and places it in a team; A's person of that id is untouched.
    expect((await b.admin.get(`/people/${takenInA}`)).body.name).toBe("twin");
    await b.admin.ok("PATCH", `/people/${takenInA}`, { name: "twin renamed" });
    await b.admin.ok("PATCH", `/teams/${b.teamId}`, { memberIds: [b.member.subject, takenInA] });
    const inA = (await a.admin.get(`/people/${takenInA}`)).body;
    expect(inA).toMatchObject({ id: takenInA, name: "pat", teams: [{ teamId: a.teamId, role: "member" }] });
    expect(await rowsOf(a.admin.tenantId)).toBe(aRows);

    // Within a tenant an id is still taken once.
    const again = await b.admin.post("/people", person("again", { id: takenInA }));
    expect(again.status).toBe(409);
    expect(again.body.type).toMatch(/\/person-exists$/);

    // Removing B's person leaves A's.
    await b.admin.ok("PATCH", `/teams/${b.teamId}`, { memberIds: [b.member.subject] });
    await b.admin.ok("DELETE", `/people/${takenInA}`);
    expect((await b.admin.get(`/people/${takenInA}`)).status).toBe(404);
    expect(await rowsOf(a.admin.tenantId)).toBe(aRows);
  });
});

describe("the actor of a transition", () => {
  let ids: string[];
  beforeAll(async () => {
    ids = await draftMemberObjectives(a, "Actor objective");
    for (const id of ids) await a.member.ok("POST", `/objectives/${id}/submit`);
  });

  const auditOf = async (id: string) => (await a.admin.get(`/audit?entityId=${id}`)).body.items as Json[];

  it("is the caller: naming someone else as actorId is refused (403) for leaders and members, changing nothing", async () => {
    const [first] = ids as [string];
    const before = { rows: await rowsOf(a.admin.tenantId), outbox: await outboxSequence(service) };
    const approve = await a.leader.post(`/objectives/${first}/approve`, { actorId: a.admin.subject });
    expect(approve.status).toBe(403);
    expect(approve.headers["content-type"]).toMatch(/application\/problem\+json/);
    expect(approve.body.detail).toMatch(/on someone's behalf/);
    const close = await a.member.post(`/objectives/${first}/close`, { actorId: a.leader.subject });
    expect(close.status).toBe(403);
    expect(await rowsOf(a.admin.tenantId)).toBe(before.rows);
    expect(await outboxSequence(service)).toEqual(before.outbox);

    // Naming oneself is acting as oneself.
    const own = await a.leader.post(`/objectives/${first}/approve`, { actorId: a.leader.subject });
    expect(own.body.state).toBe("approved");
    const entry = (await auditOf(first)).at(-1);
    expect(entry).toMatchObject({ action: "objective.approve", actorId: a.leader.subject });
    expect(entry.changes.onBehalfOf).toBeUndefined();
  });

  it("admins and the service credential act on someone's behalf, and the audit shows both", async () => {
    const [, second, third] = ids as [string, string, string];
    const byAdmin = await a.admin.post(`/objectives/${second}/approve`, { actorId: a.leader.subject });
    expect(byAdmin.body.state).toBe("approved");
    expect((await auditOf(second)).at(-1)).toMatchObject({
      action: "objective.approve",
      actorId: a.admin.subject,
      changes: { onBehalfOf: a.leader.subject },
    });
    const worker = a.admin.as(["service"], "cycle-worker");
    const byWorker = await worker.post(`/objectives/${third}/approve`, { actorId: a.leader.subject });
    expect(byWorker.body.state).toBe("approved");
    expect((await auditOf(third)).at(-1)).toMatchObject({
      actorId: "cycle-worker",
      changes: { onBehalfOf: a.leader.subject },
    });
  });
});
