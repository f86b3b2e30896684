import { randomUUID } from "node:crypto";
import { prismaRunner } from "@okr/database";
import { GOALS_TOPICS, MetricUpdated } from "@okr/events";
import { publishEvent } from "@okr/messaging";
import { findMessage, waitFor } from "@okr/testkit";
import { describe, expect, it } from "vitest";
import { draftObjective, type Json, measurableKr, startGoalsWithOrganizations } from "./support.ts";

const { service, orgs } = await startGoalsWithOrganizations(["Acme"]);
const [org] = orgs;
const objective = await draftObjective(org, {
  keyResults: [
    measurableKr(),
    measurableKr("Releases", {
      type: "milestone",
      baseline: null,
      target: null,
      milestones: ["beta", "ga"],
    }),
  ],
});
const objectiveId: string = objective.id;
const keyResultId: string = objective.keyResults[0].id;

const checkIn = (extra: object = {}) => ({
  value: 12,
  confidence: 0.6,
  note: "moving",
  evidence: { url: "https://grafana.example/lead-time" },
  ...extra,
});

describe("check-ins", () => {
  it("records a check-in with evidence, moves the KR's latest value and publishes okr.check-in.recorded.v1", async () => {
    const response = await org.member.post(`/key-results/${keyResultId}/check-ins`, checkIn());
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({
      value: 12,
      confidence: 0.6,
      authorId: org.member.subject,
      source: "person",
    });
    const message = await findMessage(
      GOALS_TOPICS.keyResults,
      (m) => m.value?.toString().includes(response.body.id) ?? false,
    );
    expect(message.key?.toString()).toBe(keyResultId);
    expect(JSON.parse(message.value?.toString() ?? "{}")).toMatchObject({
      type: "okr.check-in.recorded.v1",
      tenant: org.admin.tenantId,
      data: {
        checkInId: response.body.id,
        objectiveId,
        cycleId: org.cycleId,
        evidence: { url: "https://grafana.example/lead-time" },
      },
    });
    const kr = await org.member.get(`/key-results/${keyResultId}`);
    expect(kr.body).toMatchObject({ latestValue: 12, latestConfidence: 0.6 });
    // A back-dated check-in is history, not the latest value.
    await org.member.ok(
      "POST",
      `/key-results/${keyResultId}/check-ins`,
      checkIn({ value: 15, recordedAt: new Date(Date.now() - 86_400_000).toISOString() }),
    );
    expect((await org.member.get(`/key-results/${keyResultId}`)).body.latestValue).toBe(12);
    const history = await org.member.get(`/key-results/${keyResultId}/check-ins`);
    expect(history.body.items.map((c: { value: number }) => c.value)).toEqual([12, 15]);
  });

  it("rejects check-ins without evidence, after the cycle end, or on KRs the caller does not own", async () => {
    const before = await service.runtime.db.checkIn.count();
    const noEvidence = await org.member.post(
      `/key-results/${keyResultId}/check-ins`,
      checkIn({ evidence: {} }),
    );
    expect(noEvidence.status).toBe(422);
    expect(noEvidence.body.type).toMatch(/check-in-without-evidence/);
    const late = await org.member.post(
      `/key-results/${keyResultId}/check-ins`,
      checkIn({ recordedAt: new Date(Date.now() + 400 * 86_400_000).toISOString() }),
    );
    expect(late.status).toBe(422);
    expect(late.body.detail).toMatch(/after the end/);
    const stranger = await org.outsider.post(`/key-results/${keyResultId}/check-ins`, checkIn());
    expect(stranger.status).toBe(403);
    // The leader of the team above may check in.
    expect((await org.leader.post(`/key-results/${keyResultId}/check-ins`, checkIn())).status).toBe(201);
    expect(await service.runtime.db.checkIn.count()).toBe(before + 1);
  });

  it("accepts what it can in bulk and reports each rejection by index", async () => {
    const integration = org.admin.as(["service"], "jira-sync");
    const items = [
      { keyResultId, ...checkIn({ value: 11, evidence: { system: "jira:OKR-1" } }) },
      { keyResultId, ...checkIn({ evidence: {} }) },
      { keyResultId: randomUUID(), ...checkIn() },
      ...Array.from({ length: 997 }, (_, i) => ({
        keyResultId,
        ...checkIn({
          value: i,
          evidence: { system: "ci" },
          recordedAt: new Date(Date.now() - 3_600_000).toISOString(),
        }),
      })),
    ];
    const response = await integration.post("/check-ins/bulk", { checkIns: items });
    expect(response.status).toBe(200);
    expect(response.body.accepted).toBe(998);
    expect(response.body.rejected.map((r: { index: number; status: number }) => [r.index, r.status])).toEqual(
      [
        [1, 422],
        [2, 404],
      ],
    );
    expect(response.body.rejected[0].detail).toMatch(/must carry evidence/);
    const rows = await service.runtime.db.checkIn.findMany({ where: { keyResultId, authorId: "jira-sync" } });
    expect(rows).toHaveLength(998);
    expect(rows.every((row) => row.source === "system")).toBe(true);
  });

  it("lists check-in status for reminders: missing since a date", async () => {
    const since = new Date(Date.now() - 60_000).toISOString();
    const status = await org.admin.get(`/cycles/${org.cycleId}/check-in-status?since=${since}`);
    expect(status.status).toBe(200);
    const rows = status.body.keyResults;
    expect(rows).toHaveLength(2);
    expect(rows.find((r: Json) => r.keyResultId === keyResultId)).toMatchObject({
      missing: false,
      teamId: org.teamId,
    });
    expect(rows.find((r: Json) => r.keyResultId !== keyResultId)).toMatchObject({
      missing: true,
      lastCheckInAt: null,
    });
  });

  it("turns a value-stream metric into a system check-in on each bound key result", async () => {
    const streamId = randomUUID();
    await service.runtime.db.$transaction((tx) =>
      publishEvent(
        prismaRunner(tx),
        MetricUpdated,
        {
          streamId,
          metric: "lead-time",
          value: 7.5,
          unit: "days",
          boundKeyResultIds: [keyResultId, randomUUID()],
          snapshot: { processTime: 2, waitTime: 5.5 },
          measuredAt: new Date().toISOString(),
        },
        { tenant: org.admin.tenantId },
      ),
    );
    const row = await waitFor(
      "the system check-in",
      async () =>
        (await service.runtime.db.checkIn.findFirst({
          where: { keyResultId, evidenceSystem: `value-stream:${streamId}:lead-time` },
        })) ?? undefined,
    );
    expect(row).toMatchObject({ value: 7.5, source: "system", authorId: null });
    expect(row.note).toContain("processTime=2");
    // The second bound key result is unknown here: skipped, the known one still got its check-in.
    const fromMetric = await service.runtime.db.checkIn.findMany({
      where: { evidenceSystem: `value-stream:${streamId}:lead-time` },
    });
    expect(fromMetric.map((checkIn) => checkIn.keyResultId)).toEqual([keyResultId]);
  });

  it("keeps the latest scores from the scoring service beside the OKR", async () => {
    const { KeyResultScored, ObjectiveScored } = await import("@okr/events");
    const policy = { id: "default", version: 1 };
    // A day ahead: a scoring service of another test reading the shared goals topics may score this
    // objective for real meanwhile; its scores (as of now) are older than these and must not win.
    const base = Date.now() + 86_400_000;
    await service.runtime.db.$transaction(async (tx) => {
      await publishEvent(
        prismaRunner(tx),
        ObjectiveScored,
        {
          objectiveId,
          cycleId: org.cycleId,
          kind: "committed" as never,
          score: 0.4,
          grade: 0.4,
          band: "yellow" as never,
          atRisk: true,
          policy,
          asOf: new Date(base - 1000).toISOString(),
        },
        { tenant: org.admin.tenantId },
      );
      const keyResultScored = (score: number, secondsAgo: number) =>
        publishEvent(
          prismaRunner(tx),
          KeyResultScored,
          {
            keyResultId,
            objectiveId,
            cycleId: org.cycleId,
            progress: score,
            score,
            confidence: 0.6,
            policy,
            asOf: new Date(base - secondsAgo * 1000).toISOString(),
          },
          { tenant: org.admin.tenantId },
        );
      await keyResultScored(0.5, 0);
      // Published after the newer one, but older: the newest asOf wins, in a batch or across batches.
      await keyResultScored(0.9, 5);
    });
    const objective = await waitFor("these scores in the read model", async () => {
      const body = (await org.member.get(`/objectives/${objectiveId}`)).body;
      return body.score === 0.4 && body.keyResults[0].score === 0.5 ? body : undefined;
    });
    expect(objective).toMatchObject({ score: 0.4, band: "yellow", atRisk: true });
    expect(objective.keyResults[0]).toMatchObject({ score: 0.5, progress: 0.5 });
  });
  // Last in this file: it grades the organization's cycle.
  it("refuses check-ins once scoring graded the cycle (okr.cycle.graded.v1), storing and publishing nothing", async () => {
    const { CycleGraded } = await import("@okr/events");
    const { db } = service.runtime;
    // Accepted before the grading (the cycle is open: CHECK_INS)
    await org.member.ok("POST", `/key-results/${keyResultId}/check-ins`, checkIn({ value: 13 }));
    await db.$transaction((tx) =>
      publishEvent(
        prismaRunner(tx),
        CycleGraded,
        {
          cycleId: org.cycleId,
          organizationScore: 0.4,
          objectivesGraded: 1,
          policy: { id: "default", version: 1 },
          gradedAt: new Date().toISOString(),
        },
        { tenant: org.admin.tenantId },
      ),
    );
    await waitFor(
      "the cycle grade in goals",
      async () => (await db.cycleGrade.findFirst({ where: { cycleId: org.cycleId } })) ?? undefined,
    );
    const before = await db.checkIn.count({ where: { keyResultId } });
    // The outbox sequence moves with every event written (relayed rows may be gone already).
    const outboxSeq = async () => {
      const { rows } = await service.runtime.pool.query(
        "select last_value from pg_sequences where sequencename = (select split_part(pg_get_serial_sequence('outbox_events', 'seq'), '.', 2))",
      );
      return String(rows[0]?.last_value);
    };
    const outboxBefore = await outboxSeq();
    const refused = await org.member.post(`/key-results/${keyResultId}/check-ins`, checkIn({ value: 99 }));
    expect(refused.status).toBe(409);
    expect(refused.headers["content-type"]).toMatch(/application\/problem\+json/);
    expect(refused.body.type).toMatch(/\/cycle-graded$/);
    expect(await db.checkIn.count({ where: { keyResultId } })).toBe(before);
    expect(await outboxSeq()).toBe(outboxBefore);
    expect((await org.member.get(`/key-results/${keyResultId}`)).body).toMatchObject({ latestValue: 13 });
  });
});
