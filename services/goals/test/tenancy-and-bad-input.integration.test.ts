import { randomUUID } from "node:crypto";
import { GOALS_TOPICS } from "@okr/events";
import { testBus, uniqueName } from "@okr/testkit";
import { describe, expect, it } from "vitest";
import {
  advance,
  type Client,
  draftObjective,
  type Json,
  measurableKr,
  type Organization,
  objectiveDraft,
  outboxSequence,
  startGoalsWithOrganizations,
} from "./support.ts";

/**
 * Events org A's setup publishes: organization, 3 people, 3 teams (each also republishes the person it
 * adds), cycle, objective + 2 KRs, child team, phase change.
 */
const A_SETUP_EVENTS = 16;

const objective = (org: Organization, client: Client, extra: object = {}) =>
  draftObjective(
    org,
    { title: "Flow for customers", keyResults: [measurableKr(), measurableKr("Second")], ...extra },
    client,
  );

const { service, orgs } = await startGoalsWithOrganizations(["Org A", "Org B"]);
const [a, b] = orgs;
const aObjective: Json = await objective(a, a.member);
const bObjective: Json = await objective(b, b.member);
const aChildTeamId: string = (await a.admin.ok("POST", "/teams", { name: "Child", parentTeamId: a.teamId }))
  .id;
await advance(a, "CHECK_INS");

/** Everything tenant A owns, as rows: any change shows up here. */
async function snapshotOfA() {
  const db = service.runtime.db;
  const tenantId = a.admin.tenantId;
  return JSON.stringify(
    await Promise.all([
      db.objective.findMany({ where: { tenantId }, orderBy: { id: "asc" } }),
      db.keyResult.findMany({ where: { tenantId }, orderBy: { id: "asc" } }),
      db.checkIn.findMany({ where: { tenantId }, orderBy: { id: "asc" } }),
      db.team.findMany({ where: { tenantId }, orderBy: { id: "asc" } }),
      db.teamMembership.findMany({ where: { tenantId }, orderBy: [{ teamId: "asc" }, { personId: "asc" }] }),
      db.person.findMany({ where: { tenantId }, orderBy: { id: "asc" } }),
      db.cycle.findMany({ where: { tenantId }, orderBy: { id: "asc" } }),
      db.retrospective.findMany({ where: { tenantId } }),
      db.midCycleReview.findMany({ where: { tenantId } }),
      db.organization.findMany({ where: { id: tenantId } }),
      db.auditEntry.count({ where: { tenantId } }),
    ]),
  );
}

/** Counts tenant A's messages on the goals topics until `expected` arrived, then waits for stragglers. */
async function tenantMessagesOnKafka(tenant: string, expected: number): Promise<number> {
  const bus = testBus();
  const topics = Object.values(GOALS_TOPICS);
  await bus.ensureTopics(topics);
  const consumer = bus.consumer(uniqueName("goals-test-tenant-reader"));
  await consumer.connect();
  let seen = 0;
  try {
    await consumer.subscribe(topics, { fromBeginning: true });
    let reached: () => void = () => {};
    const enough = new Promise<void>((resolve) => {
      reached = resolve;
    });
    await consumer.run({
      eachMessage: async (message) => {
        if (JSON.parse(message.value?.toString() ?? "{}").tenant === tenant) seen += 1;
        if (seen >= expected) reached();
      },
    });
    await Promise.race([enough, new Promise((resolve) => setTimeout(resolve, 40_000))]);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    return seen;
  } finally {
    await consumer.disconnect();
  }
}

describe("tenant isolation", () => {
  it("org B can neither read nor change org A's data, even with A's ids", async () => {
    const before = await snapshotOfA();
    const kr = aObjective.keyResults[0].id;
    const attempts: [string, Promise<{ status: number }>][] = [
      ["read objective", b.admin.get(`/objectives/${aObjective.id}`)],
      ["read key result", b.admin.get(`/key-results/${kr}`)],
      ["read check-ins", b.admin.get(`/key-results/${kr}/check-ins`)],
      ["read cycle", b.admin.get(`/cycles/${a.cycleId}`)],
      ["read alignment tree", b.admin.get(`/cycles/${a.cycleId}/alignment-tree`)],
      ["read check-in status", b.admin.get(`/cycles/${a.cycleId}/check-in-status`)],
      ["read retrospectives", b.admin.get(`/cycles/${a.cycleId}/retrospectives`)],
      ["read team", b.admin.get(`/teams/${a.teamId}`)],
      ["read person", b.admin.get(`/people/${a.member.subject}`)],
      ["change objective", b.admin.patch(`/objectives/${aObjective.id}`, { title: "taken over" })],
      ["delete objective", b.admin.delete(`/objectives/${aObjective.id}`)],
      ["submit objective", b.admin.post(`/objectives/${aObjective.id}/submit`)],
      ["approve objective", b.admin.post(`/objectives/${aObjective.id}/approve`)],
      ["add key result", b.admin.post(`/objectives/${aObjective.id}/key-results`, measurableKr())],
      ["change key result", b.admin.patch(`/key-results/${kr}`, { target: 1 })],
      ["delete key result", b.admin.delete(`/key-results/${kr}`)],
      [
        "check in",
        b.admin.post(`/key-results/${kr}/check-ins`, {
          value: 1,
          confidence: 1,
          evidence: { url: "https://x.example" },
        }),
      ],
      ["move phase", b.admin.post(`/cycles/${a.cycleId}/phase`, { phase: "SCORING" })],
      ["change cycle", b.admin.patch(`/cycles/${a.cycleId}`, { name: "mine" })],
      ["change team", b.admin.patch(`/teams/${a.teamId}`, { name: "mine" })],
      ["delete team", b.admin.delete(`/teams/${aChildTeamId}`)],
      ["change person", b.admin.patch(`/people/${a.member.subject}`, { name: "mine" })],
      [
        "retrospective",
        b.admin.post(`/cycles/${a.cycleId}/retrospectives`, {
          teamId: a.teamId,
          wentWell: "x",
          didNotGoWell: "",
          lessons: "",
          carryForwardKeyResultIds: [],
        }),
      ],
      ["mid-cycle review", b.admin.post(`/cycles/${a.cycleId}/teams/${a.teamId}/mid-cycle-review`)],
    ];
    for (const [what, attempt] of attempts) expect([what, (await attempt).status]).toEqual([what, 404]);

    const bulk = await b.admin.post("/check-ins/bulk", {
      checkIns: [{ keyResultId: kr, value: 1, confidence: 1, evidence: { system: "x" } }],
    });
    expect(bulk.body).toMatchObject({ accepted: 0, rejected: [{ index: 0, status: 404 }] });
    const list = await b.admin.get(`/objectives?cycleId=${a.cycleId}`);
    expect(list.body.items).toEqual([]);
    const teams = await b.admin.get("/teams?limit=1000");
    expect(teams.body.items.map((t: { id: string }) => t.id)).not.toContain(a.teamId);
    // B cannot hang its objective under A's objective or KR, nor give it to A's team.
    expect(
      (await b.member.patch(`/objectives/${bObjective.id}`, { alignedToObjectiveId: aObjective.id })).status,
    ).toBe(404);
    expect(
      (await b.member.patch(`/objectives/${bObjective.id}`, { contributesToKeyResultId: kr })).status,
    ).toBe(404);
    expect(
      (await b.admin.patch(`/objectives/${bObjective.id}`, { owner: { kind: "team", id: a.teamId } })).status,
    ).toBe(404);
    expect(await snapshotOfA()).toBe(before);
  });
});

describe("bad input", () => {
  it("answers each bad request with a 4xx problem+json and changes nothing in the database or on Kafka", async () => {
    const kr = aObjective.keyResults[0].id;
    const bKr = bObjective.keyResults[0].id;
    const draft = (extra: object) => objectiveDraft(a, { title: "Valid title", ...extra });
    const checkIn = (extra: object) => ({
      value: 3,
      confidence: 0.5,
      evidence: { url: "https://x.example" },
      ...extra,
    });
    type Case = [string, Client, string, string, unknown, number];
    /** A member's check-in on `kr`: a valid one with `extra` over it. */
    const memberCheckIn = (name: string, extra: object, status: number): Case => [
      name,
      a.member,
      "POST",
      `/key-results/${kr}/check-ins`,
      checkIn(extra),
      status,
    ];
    const { title: _t, ...withoutTitle } = draft({});
    const cases: Case[] = [
      ["wrong type", a.member, "POST", "/objectives", draft({ title: 5 }), 400],
      ["NUL in a title", a.member, "POST", "/objectives", draft({ title: "Flow\u0000" }), 400],
      ["lone surrogate in a title", a.member, "POST", "/objectives", draft({ title: "\ud800x" }), 400],
      memberCheckIn("NUL in a check-in note", { note: "done\u0000" }, 400),
      memberCheckIn("lone surrogate in check-in evidence", { evidence: { system: "ci \udfff" } }, 400),
      [
        "NUL in a bulk item",
        a.admin,
        "POST",
        "/check-ins/bulk",
        {
          checkIns: [
            { keyResultId: kr, ...checkIn({ note: "ok" }) },
            { keyResultId: kr, ...checkIn({ note: "\u0000" }) },
          ],
        },
        400,
      ],
      [
        "NUL in a person's name",
        a.admin,
        "POST",
        "/people",
        { name: "X\u0000", email: "x@example.com", roles: ["member"] },
        400,
      ],
      ["NUL in a team's name", a.admin, "PATCH", `/teams/${a.teamId}`, { name: "\u0000" }, 400],
      ["missing field", a.member, "POST", "/objectives", withoutTitle, 400],
      ["unknown field", a.member, "POST", "/objectives", draft({ color: "red" }), 400],
      ["oversized string", a.member, "POST", "/objectives", draft({ title: "x".repeat(301) }), 400],
      ["bad enum", a.member, "POST", "/objectives", draft({ kind: "stretchy" }), 400],
      ["unknown cycle", a.member, "POST", "/objectives", draft({ cycleId: randomUUID() }), 404],
      ["other tenant's cycle", a.member, "POST", "/objectives", draft({ cycleId: b.cycleId }), 404],
      [
        "other tenant's team as owner",
        a.admin,
        "POST",
        "/objectives",
        draft({ owner: { kind: "team", id: b.teamId } }),
        404,
      ],
      [
        "other tenant's objective as parent",
        a.member,
        "POST",
        "/objectives",
        draft({ alignedToObjectiveId: bObjective.id }),
        404,
      ],
      [
        "unmeasurable key result",
        a.member,
        "POST",
        `/objectives/${aObjective.id}/key-results`,
        { title: "Be great", type: "stay-between" },
        422,
      ],
      ["unmeasurable change", a.member, "PATCH", `/key-results/${kr}`, { target: null }, 422],
      [
        "key result spanning the double range",
        a.member,
        "POST",
        `/objectives/${aObjective.id}/key-results`,
        measurableKr("Huge", { type: "increase-to", baseline: -1e308, target: 1e308 }),
        422,
      ],
      ["key result moved out of range", a.member, "PATCH", `/key-results/${kr}`, { baseline: 1e16 }, 422],
      [
        "objective with an out-of-range key result",
        a.member,
        "POST",
        "/objectives",
        draft({ keyResults: [measurableKr("Huge", { type: "stay-above", baseline: null, target: -2e15 })] }),
        422,
      ],
      memberCheckIn("confidence as text", { confidence: "high" }, 400),
      memberCheckIn("confidence out of range", { confidence: 1.5 }, 400),
      [
        "missing evidence",
        a.member,
        "POST",
        `/key-results/${kr}/check-ins`,
        { value: 3, confidence: 0.5 },
        400,
      ],
      memberCheckIn("empty evidence", { evidence: {} }, 422),
      memberCheckIn("oversized note", { note: "n".repeat(4001) }, 400),
      memberCheckIn("evidence url not a url", { evidence: { url: "not a url" } }, 400),
      memberCheckIn(
        "evidence url with javascript:",
        { evidence: { url: "javascript:alert(document.cookie)" } },
        400,
      ),
      memberCheckIn("evidence url with file:", { evidence: { url: "file:///etc/passwd" } }, 400),
      [
        "bulk evidence url with javascript:",
        a.admin,
        "POST",
        "/check-ins/bulk",
        { checkIns: [{ keyResultId: kr, ...checkIn({ evidence: { url: "JavaScript:alert(1)" } }) }] },
        400,
      ],
      memberCheckIn("check-in after the cycle end", { recordedAt: "2099-01-01T00:00:00Z" }, 422),
      ["unknown key result", a.member, "POST", `/key-results/${randomUUID()}/check-ins`, checkIn({}), 404],
      ["other tenant's key result", a.member, "POST", `/key-results/${bKr}/check-ins`, checkIn({}), 404],
      ["not a uuid", a.member, "POST", "/key-results/42/check-ins", checkIn({}), 400],
      ["empty bulk", a.admin, "POST", "/check-ins/bulk", { checkIns: [] }, 400],
      [
        "bulk item of wrong type",
        a.admin,
        "POST",
        "/check-ins/bulk",
        { checkIns: [{ keyResultId: kr, ...checkIn({ value: "3" }) }] },
        400,
      ],
      ["approve a draft", a.leader, "POST", `/objectives/${aObjective.id}/approve`, {}, 409],
      ["return without reason", a.leader, "POST", `/objectives/${aObjective.id}/return`, {}, 400],
      [
        "close twice is fine, but submit by a stranger",
        a.outsider,
        "POST",
        `/objectives/${aObjective.id}/submit`,
        {},
        403,
      ],
      ["phase backwards", a.admin, "POST", `/cycles/${a.cycleId}/phase`, { phase: "SETTING" }, 409],
      ["unknown phase", a.admin, "POST", `/cycles/${a.cycleId}/phase`, { phase: "PARTY" }, 400],
      ["phase by a member", a.member, "POST", `/cycles/${a.cycleId}/phase`, { phase: "SCORING" }, 403],
      [
        "cycle ends before it starts",
        a.admin,
        "POST",
        "/cycles",
        { name: "bad", startsAt: "2027-02-01T00:00:00Z", endsAt: "2027-01-01T00:00:00Z", timeZone: "UTC" },
        422,
      ],
      [
        "unknown time zone",
        a.admin,
        "POST",
        "/cycles",
        {
          name: "bad",
          startsAt: "2027-01-01T00:00:00Z",
          endsAt: "2027-02-01T00:00:00Z",
          timeZone: "Mars/Olympus",
        },
        422,
      ],
      [
        "date that is not a date",
        a.admin,
        "POST",
        "/cycles",
        { name: "bad", startsAt: "yesterday", endsAt: "2027-02-01T00:00:00Z", timeZone: "UTC" },
        400,
      ],
      ["other tenant's parent team", a.admin, "POST", "/teams", { name: "T", parentTeamId: b.teamId }, 404],
      ["unknown leader", a.admin, "POST", "/teams", { name: "T", leaderIds: [randomUUID()] }, 404],
      [
        "team under its own child",
        a.admin,
        "PATCH",
        `/teams/${a.teamId}`,
        { parentTeamId: aChildTeamId },
        422,
      ],
      ["team by a member", a.member, "POST", "/teams", { name: "T" }, 403],
      [
        "policy min above max",
        a.admin,
        "PUT",
        "/organization/policy",
        {
          objectivesPerOwner: { min: 6, max: 5, enforcement: "warn" },
          keyResultsPerObjective: { min: 1, max: 5, enforcement: "reject" },
          scoringPolicyId: "default",
          checkInCadence: { weekday: 1, hour: 9, everyDays: 7 },
        },
        422,
      ],
      [
        "retro carrying another tenant's KR",
        a.member,
        "POST",
        `/cycles/${a.cycleId}/retrospectives`,
        {
          teamId: a.teamId,
          wentWell: "x",
          didNotGoWell: "",
          lessons: "",
          carryForwardKeyResultIds: [bKr],
        },
        422,
      ],
      [
        "retro for another tenant's team",
        a.admin,
        "POST",
        `/cycles/${a.cycleId}/retrospectives`,
        {
          teamId: b.teamId,
          wentWell: "x",
          didNotGoWell: "",
          lessons: "",
          carryForwardKeyResultIds: [],
        },
        404,
      ],
      [
        "mid-cycle review by a member",
        a.member,
        "POST",
        `/cycles/${a.cycleId}/teams/${a.teamId}/mid-cycle-review`,
        {},
        403,
      ],
      [
        "mid-cycle review note too long",
        a.leader,
        "POST",
        `/cycles/${a.cycleId}/teams/${a.rootTeamId}/mid-cycle-review`,
        { note: "x".repeat(2001) },
        400,
      ],
      [
        "mid-cycle review with an unknown field",
        a.leader,
        "POST",
        `/cycles/${a.cycleId}/teams/${a.rootTeamId}/mid-cycle-review`,
        { held: true },
        400,
      ],
      [
        "mid-cycle review of another tenant's team",
        a.admin,
        "POST",
        `/cycles/${a.cycleId}/teams/${b.teamId}/mid-cycle-review`,
        {},
        404,
      ],
      [
        "mid-cycle review of no uuid",
        a.admin,
        "POST",
        `/cycles/${a.cycleId}/teams/42/mid-cycle-review`,
        {},
        400,
      ],
      [
        "person with a bad email",
        a.admin,
        "POST",
        "/people",
        { name: "X", email: "nope", roles: ["member"] },
        400,
      ],
    ];
    const dbBefore = await snapshotOfA();
    const seqBefore = await outboxSequence(service);
    for (const [what, client, method, url, payload, status] of cases) {
      const response = await client.call(method as "POST", url, payload);
      expect([what, response.status]).toEqual([what, status]);
      expect(response.headers["content-type"]).toMatch(/application\/problem\+json/);
      expect(response.body.detail, what).toBeTruthy();
    }
    const token = await service.token(["member"], a.admin.tenantId, a.member.subject);
    const malformed = await service.app.inject({
      method: "POST",
      url: `/key-results/${kr}/check-ins`,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      payload: "{ not json",
    });
    expect(malformed.statusCode).toBe(400);
    expect(await snapshotOfA()).toBe(dbBefore);
    expect(await outboxSequence(service)).toEqual(seqBefore);

    // And on Kafka: after one good write, tenant A has exactly its setup events plus that one.
    await a.member.ok("POST", `/key-results/${kr}/check-ins`, checkIn({}));
    expect(await tenantMessagesOnKafka(a.admin.tenantId, A_SETUP_EVENTS + 1)).toBe(A_SETUP_EVENTS + 1);
  });
});
