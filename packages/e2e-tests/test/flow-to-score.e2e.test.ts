import { randomUUID } from "node:crypto";
import { goalsService } from "@okr/goals-service/service";
import { scoringService } from "@okr/scoring-service/service";
import { startTestService, type TestService, waitFor } from "@okr/testkit";
import { valueStreamService } from "@okr/value-stream-service/service";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  bindToFlowEfficiency,
  mortgageApprovalStream,
  teamWithObjective,
  tenantCaller,
} from "./support/api.ts";

/**
 * Lean and OKRs joined on the real stack: work items move through a value stream (value-stream API) ->
 * flow efficiency changes -> MetricUpdated on Kafka -> the goals service records a system check-in on the
 * bound key result -> CheckInRecorded on Kafka -> the scoring service re-scores that key result.
 */
let goals: TestService<unknown>;
let scoring: TestService<unknown>;
let valueStream: TestService<unknown>;
beforeAll(async () => {
  [goals, scoring, valueStream] = await Promise.all([
    startTestService(goalsService),
    startTestService(scoringService),
    startTestService(valueStreamService),
  ]);
});
afterAll(async () => {
  await Promise.all([goals?.stop(), scoring?.stop(), valueStream?.stop()]);
});

const tenantId = randomUUID();
const adminId = randomUUID();

const call = tenantCaller(tenantId, adminId);

const minutesAfter = (base: number, minutes: number) => new Date(base + minutes * 60_000).toISOString();

/** One item's walk through the steps: 10 minutes queued and 20 active in each, `gap` minutes between steps. */
function walk(itemId: string, stepIds: string[], base: number, gap: number) {
  const events: { itemId: string; stepId: string; kind: string; at: string }[] = [];
  let t = 0;
  for (const stepId of stepIds) {
    events.push({ itemId, stepId, kind: "entered", at: minutesAfter(base, t) });
    events.push({ itemId, stepId, kind: "started", at: minutesAfter(base, t + 10) });
    events.push({ itemId, stepId, kind: "completed", at: minutesAfter(base, t + 30) });
    t += 30 + gap;
  }
  return events;
}

describe("value stream flow to key result score", () => {
  it("moving work items changes flow efficiency, which becomes a system check-in and changes the bound KR's score", async () => {
    // Goals: a KR "raise flow efficiency from 20% to 60%".
    const now = Date.now();
    const { cycle, objective } = await teamWithObjective(call, goals, {
      organization: { name: "Flow E2E", mission: "Mortgages decided in a day" },
      team: "Mortgage operations",
      cycle: "flow",
      objective: {
        title: "Make mortgage approval flow",
        kind: "aspirational",
        keyResults: [
          { title: "Raise flow efficiency", type: "increase-to", baseline: 0.2, target: 0.6, unit: "ratio" },
        ],
      },
    });
    const keyResultId: string = objective.keyResults[0].id;

    // Value stream: three steps, the KR bound to the stream's flow efficiency.
    const stream = await mortgageApprovalStream(call, valueStream);
    const map = await call(valueStream, "GET", `/maps/${stream.currentMapId}`);
    const stepIds = (map.steps as { id: string }[]).map((step) => step.id);
    await bindToFlowEfficiency(call, valueStream, stream.id, keyResultId);
    await call(valueStream, "POST", `/streams/${stream.id}/work-items`, {
      items: [{ id: "M-1" }, { id: "M-2" }],
    });

    /** The KR's score once scoring holds `value` as its current value. */
    const scoredAt = (what: string, value: number) =>
      waitFor(
        what,
        async () => {
          const score = (await call(scoring, "GET", `/scores/key-results/${keyResultId}`).catch(
            () => undefined,
          )) as { score: number; currentValue: number } | undefined;
          return score && Math.abs(score.currentValue - value) < 1e-6 ? score : undefined;
        },
        90_000,
      );

    // M-1 flows with 30 minutes between steps: 60 active of 140 flow minutes.
    const base = now - 5 * 86_400_000;
    await call(valueStream, "POST", `/streams/${stream.id}/events`, {
      events: walk("M-1", stepIds, base, 30),
    });
    const fast = 60 / 140;
    const afterFast = await scoredAt("the KR scored from M-1's flow efficiency", fast);
    expect(afterFast.score).toBeCloseTo((fast - 0.2) / (0.6 - 0.2), 6);

    // The goals service holds it as a system check-in with the metric as evidence.
    const listed = await call(goals, "GET", `/objectives?cycleId=${cycle.id}`);
    const keyResult = listed.items[0].keyResults[0];
    expect(keyResult.latestValue).toBeCloseTo(fast, 6);

    // M-2 waits a day between steps: flow efficiency falls below the baseline and the score drops to 0.
    await call(valueStream, "POST", `/streams/${stream.id}/events`, {
      events: walk("M-2", stepIds, base + 200 * 60_000, 24 * 60),
    });
    const slow = (60 + 60) / (140 + (90 + 2 * 24 * 60 - 10));
    const afterSlow = await scoredAt("the KR re-scored from the slower flow", slow);
    expect(afterSlow.score).toBe(0);
  });
});
