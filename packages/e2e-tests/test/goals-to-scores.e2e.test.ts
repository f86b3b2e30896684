import { randomUUID } from "node:crypto";
import { SCORING_TOPICS } from "@okr/events";
import { goalsService } from "@okr/goals-service/service";
import { scoringService } from "@okr/scoring-service/service";
import { findMessage, startTestService, type TestService, waitFor } from "@okr/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { teamWithObjective, tenantCaller } from "./support/api.ts";

/**
 * The real path on the real stack: goals API -> goals outbox -> relay -> Kafka goals topics -> scoring
 * consumer -> scores in the scoring database -> scoring outbox -> Kafka score topic, and the scoring API.
 */
let goals: TestService<unknown>;
let scoring: TestService<unknown>;
beforeAll(async () => {
  [goals, scoring] = await Promise.all([startTestService(goalsService), startTestService(scoringService)]);
});
afterAll(async () => {
  await Promise.all([goals?.stop(), scoring?.stop()]);
});

const tenantId = randomUUID();
const adminId = randomUUID();

const call = tenantCaller(tenantId, adminId);

describe("goals check-in to score", () => {
  it("a check-in posted to the goals API reaches a score event and the scoring API", async () => {
    const { team, cycle, objective } = await teamWithObjective(call, goals, {
      organization: { name: "Scoring E2E", mission: "Grades that explain themselves" },
      team: "Platform",
      cycle: "e2e",
      objective: {
        title: "Ship faster",
        kind: "aspirational",
        keyResults: [{ title: "Cut lead time", type: "decrease-to", baseline: 20, target: 5, unit: "days" }],
      },
    });
    const keyResultId: string = objective.keyResults[0].id;
    const checkIn = await call(goals, "POST", `/key-results/${keyResultId}/check-ins`, {
      value: 11,
      confidence: 0.7,
      note: "two teams on trunk-based development",
      evidence: { url: "https://grafana.example/lead-time" },
    });

    // (20 - 11) / (20 - 5) = 0.6
    const event = await findMessage(
      SCORING_TOPICS.scores,
      (m) => {
        const body = JSON.parse(m.value?.toString() ?? "{}");
        return (
          body.type === "okr.key-result.scored.v1" &&
          body.data.keyResultId === keyResultId &&
          body.data.score > 0
        );
      },
      { timeoutMs: 60_000 },
    );
    expect(JSON.parse(event.value!.toString())).toMatchObject({
      tenant: tenantId,
      data: { objectiveId: objective.id, cycleId: cycle.id, progress: 0.6, score: 0.6, confidence: 0.7 },
    });

    const token = await scoring.token(["member"], tenantId);
    const read = async (url: string) =>
      (await scoring.app.inject({ url, headers: { authorization: `Bearer ${token}` } })).json();
    const keyResult = await waitFor("the scoring API to show the check-in", async () => {
      const body = await read(`/scores/key-results/${keyResultId}`);
      return body.checkInCount === 1 ? body : undefined;
    });
    expect(keyResult).toMatchObject({ score: 0.6, currentValue: 11, confidence: 0.7 });
    const objectiveScore = await waitFor("the objective score", async () => {
      const body = await read(`/scores/objectives/${objective.id}`);
      return body.score === 0.6 ? body : undefined;
    });
    expect(objectiveScore).toMatchObject({
      grade: 0.6,
      band: "yellow",
      owner: { kind: "team", id: team.id },
    });
    expect(checkIn.id).toBeTruthy();
  });
});
