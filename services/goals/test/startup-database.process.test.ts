import { randomUUID } from "node:crypto";
import type { Server } from "node:net";
import { signToken } from "@okr/service-kit";
import {
  createTestDatabase,
  freePort,
  retryWhileUnavailable,
  startTcpProxy,
  type TestDatabase,
  testEndpoints,
  uniqueName,
  waitFor,
} from "@okr/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GoalsProcess, PROCESS_AUTH } from "./support.ts";

/**
 * The goals process started before Postgres accepts connections: it must wait (503s that say so), not
 * exit, and serve once the database is there. Postgres "comes up" when a proxy to the real server starts
 * listening on the address the process was given.
 */
let db: TestDatabase;
let goals: GoalsProcess;
let proxy: Server | undefined;
let databasePort: number;

beforeAll(async () => {
  db = await createTestDatabase({});
  databasePort = await freePort();
  const unreachable = new URL(db.url);
  unreachable.hostname = "127.0.0.1";
  unreachable.port = String(databasePort);
  goals = await GoalsProcess.spawn({
    DATABASE_URL: unreachable.toString(),
    KAFKA_BROKERS: testEndpoints().KAFKA_BROKERS,
    KAFKA_CONSUMER_GROUP: uniqueName("goals-startup-db"),
  });
});

afterAll(async () => {
  await goals?.stop();
  proxy?.close();
  await db?.drop();
});

describe("goals process started before its database", () => {
  it("answers 503 (API with Retry-After, /readyz naming the database) until Postgres is up, then serves", async () => {
    const waiting = await waitFor(
      "the process to answer",
      () => goals.readiness().catch(() => undefined),
      60_000,
    );
    expect(waiting.status).toBe(503);
    expect(waiting.body.checks?.database).toMatch(/ECONNREFUSED/);
    expect(waiting.body.checks?.startup).toContain("migrations");

    const token = await signToken(PROCESS_AUTH, {
      tenantId: randomUUID(),
      subject: randomUUID(),
      roles: ["admin"],
    });
    // Creating the organization is the first write a tenant may make.
    const createOrganization = () =>
      fetch(`${goals.baseUrl}/organization`, {
        method: "PUT",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({
          name: "Platform",
          mission: "Customers get working software the week they ask",
        }),
      });
    const held = await createOrganization();
    expect(held.status).toBe(503);
    expect(held.headers.get("retry-after")).toBe("1");
    // Several retries later the process is still there, and said so once.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(goals.exited).toBeUndefined();
    expect(goals.stderr.split("database migrations:").length - 1).toBe(1);

    const { hostname, port } = new URL(testEndpoints().GOALS_DATABASE_URL);
    proxy = await startTcpProxy(databasePort, `${hostname}:${port || 5432}`);

    await waitFor("/readyz to turn 200", async () => (await goals.readiness()).status === 200, 120_000);
    // Ready means serving; on a loaded machine the first write may still meet a busy pool, and a 503 with
    // Retry-After is the answer a client is told to retry (a few times at most).
    const created = await retryWhileUnavailable(createOrganization, (answer) =>
      answer.status === 503 ? answer.headers.get("retry-after") : undefined,
    );
    expect(created.status).toBe(201);
    const tables = await db.pool.query(
      "select count(*)::int as n from information_schema.tables where table_name = 'outbox_events'",
    );
    expect(tables.rows[0].n).toBe(1);
    expect(goals.exited).toBeUndefined();
  }, 180_000);
});
