import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { connect, createServer, type Server } from "node:net";
import { fileURLToPath } from "node:url";
import { signToken } from "@okr/service-kit";
import { createTestDatabase, type TestDatabase, testEndpoints, uniqueName, waitFor } from "@okr/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * The goals process started before Postgres accepts connections: it must wait (503s that say so), not
 * exit, and serve once the database is there. Postgres "comes up" when a proxy to the real server starts
 * listening on the address the process was given.
 */
const main = fileURLToPath(new URL("../src/main.ts", import.meta.url));
const AUTH = { secret: "startup-db-test-secret-0123456789ab", issuer: "okr-startup-test" };

let db: TestDatabase;
let goals: ChildProcess;
let proxy: Server | undefined;
let stderr = "";
let exited: number | null | undefined;
let baseUrl: string;
let databasePort: number;

beforeAll(async () => {
  db = await createTestDatabase({});
  databasePort = await freePort();
  const unreachable = new URL(db.url);
  unreachable.hostname = "127.0.0.1";
  unreachable.port = String(databasePort);
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  const endpoints = testEndpoints();
  goals = spawn(process.execPath, [main], {
    env: {
      PATH: process.env.PATH,
      NODE_ENV: "test",
      LOG_LEVEL: "warn",
      HOST: "127.0.0.1",
      PORT: String(port),
      DATABASE_URL: unreachable.toString(),
      KAFKA_BROKERS: endpoints.KAFKA_BROKERS,
      KAFKA_CONSUMER_GROUP: uniqueName("goals-startup-db"),
      TEMPORAL_ADDRESS: endpoints.TEMPORAL_ADDRESS,
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
  proxy?.close();
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

describe("goals process started before its database", () => {
  it("answers 503 (API with Retry-After, /readyz naming the database) until Postgres is up, then serves", async () => {
    const readiness = async () => {
      const response = await fetch(`${baseUrl}/readyz`);
      return { status: response.status, body: (await response.json()) as { checks: Record<string, string> } };
    };
    const waiting = await waitFor("the process to answer", () => readiness().catch(() => undefined), 60_000);
    expect(waiting.status).toBe(503);
    expect(waiting.body.checks.database).toMatch(/ECONNREFUSED/);
    expect(waiting.body.checks.startup).toContain("migrations");

    const token = await signToken(AUTH, { tenantId: randomUUID(), subject: randomUUID(), roles: ["admin"] });
    // Creating the organization is the first write a tenant may make.
    const createOrganization = () =>
      fetch(`${baseUrl}/organization`, {
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
    expect(exited).toBeUndefined();
    expect(stderr.split("database migrations:").length - 1).toBe(1);

    const { hostname, port } = new URL(testEndpoints().GOALS_DATABASE_URL);
    proxy = createServer((socket) => {
      const upstream = connect(Number(port || 5432), hostname);
      socket.pipe(upstream).pipe(socket);
      socket.on("error", () => upstream.destroy());
      upstream.on("error", () => socket.destroy());
    });
    await new Promise<void>((resolve) => proxy!.listen(databasePort, "127.0.0.1", resolve));

    await waitFor("/readyz to turn 200", async () => (await readiness()).status === 200, 120_000);
    const created = await createOrganization();
    expect(created.status).toBe(201);
    const tables = await db.pool.query(
      "select count(*)::int as n from information_schema.tables where table_name = 'outbox_events'",
    );
    expect(tables.rows[0].n).toBe(1);
    expect(exited).toBeUndefined();
  }, 180_000);
});
