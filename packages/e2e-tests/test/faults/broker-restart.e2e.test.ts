import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { goalsService } from "@okr/goals-service/service";
import { scoringService } from "@okr/scoring-service/service";
import {
  type ControllableBroker,
  startPrivateKafka,
  startTestService,
  type TestService,
  waitFor,
} from "@okr/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { teamWithObjective, tenantCaller } from "../support/api.ts";

/**
 * The broker crashes (SIGKILL) under a steady load of check-ins and comes back: goals keeps accepting
 * them (the outbox holds what Kafka cannot take), and scoring, without a restart, gets every accepted
 * check-in once, seconds after the broker is back.
 */
const KEY_RESULTS = 4;
const DELIVERY_BOUND_MS = 20_000;

let broker: ControllableBroker;
let goals: TestService<unknown>;
let scoring: TestService<unknown>;
beforeAll(async () => {
  broker = await startPrivateKafka("broker-restart-e2e");
  const kafka = { KAFKA_BROKERS: broker.brokers };
  [goals, scoring] = await Promise.all([
    startTestService(goalsService, kafka),
    startTestService(scoringService, kafka),
  ]);
});
afterAll(async () => {
  await Promise.all([goals?.stop(), scoring?.stop()]);
  await broker?.stop();
});

const tenantId = randomUUID();
const adminId = randomUUID();

async function goalsCall(method: "POST" | "PUT", url: string, payload: object) {
  const token = await goals.token(["admin"], tenantId, adminId);
  return goals.app.inject({ method, url, payload, headers: { authorization: `Bearer ${token}` } });
}

/** The check-ins scoring holds per key result (0 before its first). */
async function scoredCheckIns(keyResultIds: string[]): Promise<number[]> {
  const token = await scoring.token(["member"], tenantId);
  return Promise.all(
    keyResultIds.map(async (id) => {
      const response = await scoring.app.inject({
        url: `/scores/key-results/${id}`,
        headers: { authorization: `Bearer ${token}` },
      });
      return response.statusCode === 200 ? (response.json().checkInCount as number) : 0;
    }),
  );
}

describe("Kafka broker killed and restarted under load", () => {
  it("loses nothing, doubles nothing, answers no 5xx, and scoring resumes within seconds", async () => {
    const { objective } = await teamWithObjective(tenantCaller(tenantId, adminId), goals, {
      organization: { name: "Broker restart", mission: "Survive a crash" },
      team: "Platform",
      cycle: "fault",
      objective: {
        title: "Keep scoring through a broker crash",
        kind: "committed",
        keyResults: Array.from({ length: KEY_RESULTS }, (_, i) => ({
          title: `KR ${i + 1}`,
          type: "increase-to",
          baseline: 0,
          target: 1_000_000,
          unit: "check-ins",
        })),
      },
    });
    const keyResultIds: string[] = objective.keyResults.map((kr: { id: string }) => kr.id);

    const accepted = keyResultIds.map(() => 0);
    const statuses = new Map<number, number>();
    let loading = true;
    const checkIn = async (index: number) => {
      const response = await goalsCall("POST", `/key-results/${keyResultIds[index]}/check-ins`, {
        value: accepted[index]! + 1,
        confidence: 0.8,
        note: "steady load",
        evidence: { url: "https://ci.example/run" },
      });
      statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
      if (response.statusCode >= 200 && response.statusCode < 300) accepted[index]! += 1;
    };
    // One writer per key result, each a check-in at a time with a short pause: a steady trickle.
    const writers = keyResultIds.map(async (_, index) => {
      while (loading) {
        await checkIn(index);
        await sleep(25);
      }
    });

    const sum = (counts: number[]) => counts.reduce((total, n) => total + n, 0);
    try {
      // Scoring consumes before the crash: the consumer group has members and committed offsets.
      await waitFor("scoring to see check-ins before the crash", async () => {
        const seen = sum(await scoredCheckIns(keyResultIds));
        return seen >= KEY_RESULTS * 5;
      });
      await broker.kill();
      const killedAt = performance.now();
      const acceptedBeforeCrash = sum(accepted);
      await sleep(4000);
      await broker.start();
      const backAt = performance.now();
      const acceptedWhileDown = sum(accepted) - acceptedBeforeCrash;
      await sleep(3000);
      loading = false;
      await Promise.all(writers);

      let delivered = keyResultIds.map(() => 0);
      let deliveredAt = Number.NaN;
      try {
        await waitFor(
          "every accepted check-in in scoring",
          async () => {
            delivered = await scoredCheckIns(keyResultIds);
            return delivered.every((n, i) => n >= accepted[i]!);
          },
          60_000,
        );
        deliveredAt = performance.now();
        // A redelivery would show up as a count above what goals accepted.
        await sleep(2000);
        delivered = await scoredCheckIns(keyResultIds);
      } finally {
        const serverErrors = [...statuses].filter(([status]) => status >= 500);
        console.log(
          JSON.stringify({
            accepted: sum(accepted),
            acceptedWhileBrokerDown: acceptedWhileDown,
            delivered: sum(delivered),
            lost: sum(accepted.map((n, i) => Math.max(0, n - delivered[i]!))),
            doubled: sum(delivered.map((n, i) => Math.max(0, n - accepted[i]!))),
            serverErrors: sum(serverErrors.map(([, n]) => n)),
            statuses: Object.fromEntries(statuses),
            brokerDownMs: Math.round(backAt - killedAt),
            allDeliveredMsAfterBrokerBack: Math.round(deliveredAt - backAt),
          }),
        );
      }

      expect(acceptedWhileDown).toBeGreaterThan(0);
      expect([...statuses.keys()].filter((status) => status >= 300)).toEqual([]);
      expect(delivered).toEqual(accepted);
      expect(deliveredAt - backAt).toBeLessThan(DELIVERY_BOUND_MS);
    } finally {
      loading = false;
      await Promise.all(writers);
    }
  }, 180_000);
});
