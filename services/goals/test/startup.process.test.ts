import { randomUUID } from "node:crypto";
import { CheckInRecorded } from "@okr/events";
import { signToken } from "@okr/service-kit";
import {
  type ControllableBroker,
  createTestDatabase,
  findMessage,
  startPrivateKafka,
  type TestDatabase,
  testBus,
  waitFor,
} from "@okr/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GoalsProcess, PROCESS_AUTH } from "./support.ts";

/**
 * `npm start` on a fresh machine: the goals process comes up before its Kafka broker has started, then
 * the broker starts from empty storage (and answers "unknown topic or partition" while it creates its
 * topics). The process must wait, not exit.
 */
let broker: ControllableBroker;
let db: TestDatabase;
let goals: GoalsProcess;

beforeAll(async () => {
  broker = await startPrivateKafka("goals-startup-test", { started: false });
  db = await createTestDatabase({});
  goals = await GoalsProcess.spawn({ DATABASE_URL: db.url, KAFKA_BROKERS: broker.brokers });
});

afterAll(async () => {
  await goals?.stop();
  await broker?.stop();
  await db?.drop();
});

describe("goals process started before its Kafka broker", () => {
  it("stays up, answers 503 on /readyz until the broker is up, and relays a check-in made meanwhile", async () => {
    const tenantId = randomUUID();
    const token = await signToken(PROCESS_AUTH, { tenantId, subject: randomUUID(), roles: ["admin"] });
    const call = async (method: "POST" | "PUT", path: string, payload: object) => {
      const response = await fetch(`${goals.baseUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify(payload),
      });
      // biome-ignore lint/suspicious/noExplicitAny: the test reads a few fields of the API's answers
      const body = (await response.json()) as any;
      if (response.status >= 300) throw new Error(`${method} ${path} -> ${response.status}: ${body.detail}`);
      return body;
    };

    // Migrations done, consumers still waiting for the broker: the API serves, readiness says why not.
    const waiting = await waitFor(
      "the API to serve while Kafka is down",
      async () => {
        const ready = await goals.readiness().catch(() => undefined);
        return ready && !ready.body.checks?.startup?.includes("migrations") ? ready : undefined;
      },
      60_000,
    );
    expect(waiting.status).toBe(503);
    expect(waiting.body.checks).toMatchObject({ database: "ok", startup: expect.stringContaining("Kafka") });

    await call("PUT", "/organization", { name: "Fresh machine", mission: "Start in any order" });
    const team = await call("POST", "/teams", { name: "Platform" });
    const now = Date.now();
    const cycle = await call("POST", "/cycles", {
      name: "first",
      startsAt: new Date(now - 86_400_000).toISOString(),
      endsAt: new Date(now + 60 * 86_400_000).toISOString(),
      timeZone: "UTC",
    });
    const objective = await call("POST", "/objectives", {
      cycleId: cycle.id,
      title: "Boot on a new laptop",
      kind: "committed",
      owner: { kind: "team", id: team.id },
      keyResults: [
        { title: "Services up", type: "increase-to", baseline: 0, target: 4, unit: "services" },
        { title: "Minutes to first check-in", type: "decrease-to", baseline: 30, target: 5, unit: "min" },
      ],
    });
    const checkIn = await call("POST", `/key-results/${objective.keyResults[0].id}/check-ins`, {
      value: 3,
      confidence: 0.9,
      note: "made while the broker was still down",
      evidence: { url: "https://ci.example/first-start" },
    });
    expect((await goals.readiness()).status).toBe(503);
    expect(goals.exited).toBeUndefined();

    await broker.start();
    await waitFor("/readyz to turn 200", async () => (await goals.readiness()).status === 200, 120_000);
    const message = await findMessage(
      CheckInRecorded.topic,
      (m) => JSON.parse(m.value?.toString() ?? "{}").data?.checkInId === checkIn.id,
      { bus: testBus(broker.brokers), timeoutMs: 60_000 },
    );
    expect(JSON.parse(message.value!.toString())).toMatchObject({ tenant: tenantId, data: { value: 3 } });
    expect(goals.exited).toBeUndefined();

    // However long the broker took to start, each consumer reported each reason once, not every retry.
    const startWarnings = goals.stderr.split("\n").filter((line) => line.includes("consumer start:"));
    const distinct = new Set(startWarnings);
    expect(startWarnings.length).toBe(distinct.size);
  }, 240_000);
});
