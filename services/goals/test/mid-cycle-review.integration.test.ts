import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { reminder, reminderPublisher } from "./reminders.ts";
import { advance, type Client, type Json, startGoalsWithOrganizations } from "./support.ts";

const { service, orgs } = await startGoalsWithOrganizations(["Acme", "Globex"]);
const [acme, globex] = orgs;
await advance(acme, "CASCADE");
await advance(acme, "CHECK_INS");
const reminders = reminderPublisher(service);
const dueAt = new Date(Date.now() + 30 * 86_400_000).toISOString();

const workOf = async (client: Client) => (await client.ok("GET", "/me/work")).items as Json[];
const reviewUrl = (cycleId: string, teamId: string) => `/cycles/${cycleId}/teams/${teamId}/mid-cycle-review`;
const askForReview = (tenant: string, to: Client, cycleId: string, teamId: string) =>
  [
    tenant,
    reminder({
      cycleId,
      teamId,
      phase: "CHECK_INS",
      action: "mid-cycle-review",
      recipient: { kind: "person", id: to.subject },
      dueAt,
    }),
  ] as const;

/** What the mid-cycle reviews of both tenants left in the database. */
const recorded = async () =>
  JSON.stringify(
    await Promise.all([
      service.runtime.db.midCycleReview.findMany({
        where: { tenantId: { in: [acme.admin.tenantId, globex.admin.tenantId] } },
        orderBy: { id: "asc" },
      }),
      service.runtime.db.auditEntry.findMany({
        where: {
          tenantId: { in: [acme.admin.tenantId, globex.admin.tenantId] },
          action: "mid-cycle-review.held",
        },
        orderBy: { id: "asc" },
      }),
    ]),
  );

describe("mid-cycle review", () => {
  it("is asked of a reminded leader until a leader records it as held, once; another tenant's reminder never shows", async () => {
    // Another tenant's reminder naming Acme's leader, team and cycle is not Acme's.
    await reminders.publishStored(
      askForReview(globex.admin.tenantId, acme.leader, acme.cycleId, acme.rootTeamId),
    );
    expect(await workOf(acme.leader)).toEqual([]);

    await reminders.publishStored(
      askForReview(acme.admin.tenantId, acme.leader, acme.cycleId, acme.rootTeamId),
    );
    const item = {
      action: "mid-cycle-review",
      cycleId: acme.cycleId,
      teamId: acme.rootTeamId,
      teamName: "Acme leadership",
      dueAt,
    };
    expect(await workOf(acme.leader)).toEqual([item]);
    // Nobody else was asked: a member of the team below has no review to hold.
    expect(await workOf(acme.member)).toEqual([]);

    const held = await acme.leader.post(reviewUrl(acme.cycleId, acme.rootTeamId), {
      note: "  Pace is fine  ",
    });
    expect(held.status).toBe(201);
    expect(held.body).toEqual({
      id: expect.any(String),
      cycleId: acme.cycleId,
      teamId: acme.rootTeamId,
      note: "Pace is fine",
      heldBy: acme.leader.subject,
      heldAt: expect.any(String),
    });
    expect(await workOf(acme.leader)).toEqual([]);

    // A second POST answers the first record and writes nothing (no second audit entry).
    const before = await recorded();
    const again = await acme.leader.post(reviewUrl(acme.cycleId, acme.rootTeamId), {
      note: "changed my mind",
    });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(held.body);
    expect(await recorded()).toBe(before);
    const audit = await service.runtime.db.auditEntry.findMany({
      where: { tenantId: acme.admin.tenantId, action: "mid-cycle-review.held" },
    });
    expect(audit).toMatchObject([
      { actorId: acme.leader.subject, entityType: "mid-cycle-review", entityId: held.body.id },
    ]);
  });

  it("answers bad input, strangers and the wrong phase with a 4xx problem+json and records nothing", async () => {
    const before = await recorded();
    const cases: [string, Client, string, unknown, number][] = [
      ["not a uuid", acme.leader, `/cycles/42/teams/${acme.teamId}/mid-cycle-review`, {}, 400],
      ["unknown cycle", acme.admin, reviewUrl(randomUUID(), acme.teamId), {}, 404],
      ["unknown team", acme.admin, reviewUrl(acme.cycleId, randomUUID()), {}, 404],
      ["another tenant's cycle", globex.admin, reviewUrl(acme.cycleId, globex.teamId), {}, 404],
      ["a note that is no text", acme.admin, reviewUrl(acme.cycleId, acme.teamId), { note: 5 }, 400],
      ["a member of the team", acme.member, reviewUrl(acme.cycleId, acme.teamId), {}, 403],
      ["a leader of another team", acme.outsider, reviewUrl(acme.cycleId, acme.teamId), {}, 403],
      ["the wrong phase (SETTING)", globex.leader, reviewUrl(globex.cycleId, globex.rootTeamId), {}, 409],
    ];
    for (const [what, client, url, payload, status] of cases) {
      const response = await client.call("POST", url, payload);
      expect([what, response.status]).toEqual([what, status]);
      expect(response.headers["content-type"], what).toMatch(/application\/problem\+json/);
      expect(response.body.detail, what).toBeTruthy();
    }
    expect(await recorded()).toBe(before);
  });

  it("can be recorded by an admin for any team", async () => {
    const held = await acme.admin.post(reviewUrl(acme.cycleId, acme.teamId), {});
    expect(held.status).toBe(201);
    expect(held.body).toMatchObject({ teamId: acme.teamId, note: null, heldBy: acme.admin.subject });
  });
});
