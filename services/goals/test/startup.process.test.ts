import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { CheckInRecorded } from "@okr/events";
import { signToken } from "@okr/service-kit";
import {
  type ControllableBroker,
  createTestDatabase,
  findMessage,
  startPrivateKafka,
  type TestDatabase,
  testBus,
  testEndpoints,
  waitFor,
} from "@okr/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * `npm start` on a fresh machine: the goals process comes up before its Kafka broker has started, then
 * the broker starts from empty storage (and answers "unknown topic or partition" while it creates its
 * topics). The process must wait, not exit.
 */
const main = fileURLToPath(new URL("../src/main.ts", import.meta.url));
const AUTH = { secret: "startup-test-secret-0123456789abcdef", issuer: "okr-startup-test" };

let broker: ControllableBroker;
let db: TestDatabase;
let goals: ChildProcess;
let stderr = "";
let exited: number | null | undefined;
let baseUrl: string;

beforeAll(async () => {
  broker = await startPrivateKafka("goals-startup-test", { started: false });
  db = await createTestDatabase({});
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  goals = spawn(process.execPath, [main], {
    env: {
      PATH: process.env.PATH,
      NODE_ENV: "test",
      LOG_LEVEL: "warn",
      HOST: "127.0.0.1",
      PORT: String(port),
      DATABASE_URL: db.url,
      KAFKA_BROKERS: broker.brokers,
      TEMPORAL_ADDRESS: testEndpoints().TEMPORAL_ADDRESS,
      AUTH_JWT_SECRET: AUTH.secret,
      AUTH_JWT_ISSUER: AUTH.issuer,
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
  goals.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  goals.once("exit", (code) => {
    exited = code;
  });
});

afterAll(async () => {
  if (goals && exited === undefined) {
    const gone = new Promise((resolve) => goals.once("exit", resolve));
    goals.kill("SIGTERM");
    await gone;
  }
  await broker?.stop();
  await db?.drop();
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

async function readiness(): Promise<{ status: number; body: { checks?: Record<string, string> } }> {
  const response = await fetch(`${baseUrl}/readyz`);
  return { status: response.status, body: (await response.json()) as { checks?: Record<string, string> } };
}

describe("goals process started before its Kafka broker", () => {
  it("stays up, answers 503 on /readyz until the broker is up, and relays a check-in made meanwhile", async () => {
    const tenantId = randomUUID();
    const token = await signToken(AUTH, { tenantId, subject: randomUUID(), roles: ["admin"] });
    const call = async (method: "POST" | "PUT", path: string, payload: object) => {
      const response = await fetch(`${baseUrl}${path}`, {
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
        const ready = await readiness().catch(() => undefined);
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
    expect((await readiness()).status).toBe(503);
    expect(exited).toBeUndefined();

    await broker.start();
    await waitFor("/readyz to turn 200", async () => (await readiness()).status === 200, 120_000);
    const message = await findMessage(
      CheckInRecorded.topic,
      (m) => JSON.parse(m.value?.toString() ?? "{}").data?.checkInId === checkIn.id,
      { bus: testBus(broker.brokers), timeoutMs: 60_000 },
    );
    expect(JSON.parse(message.value!.toString())).toMatchObject({ tenant: tenantId, data: { value: 3 } });
    expect(exited).toBeUndefined();

    // However long the broker took to start, each consumer reported each reason once, not every retry.
    const startWarnings = stderr.split("\n").filter((line) => line.includes("consumer start:"));
    const distinct = new Set(startWarnings);
    expect(startWarnings.length).toBe(distinct.size);
  }, 240_000);
});
