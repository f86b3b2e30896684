import { randomUUID } from "node:crypto";
import { createTestDatabase, type TestDatabase } from "@okr/database/testing";
import { MESSAGING_TABLES_SQL } from "@okr/messaging";
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServiceApp, signToken, unprocessable } from "../src/index.ts";

const auth = { secret: "idempotency-test-secret-0123", issuer: "okr-test" };
let database: TestDatabase;
let app: FastifyInstance;
let gate: Promise<void> = Promise.resolve();

beforeAll(async () => {
  database = await createTestDatabase({
    sql: `${MESSAGING_TABLES_SQL}\ncreate table widgets (id serial primary key, tenant_id text, name text);`,
  });
  app = await createServiceApp({
    name: "idempotency-test",
    description: "Idempotency-Key on the real database",
    auth,
    logger: false,
    idempotency: { db: database.pool },
    routes: async (routes) => {
      routes.post(
        "/widgets",
        { schema: { body: Type.Object({ name: Type.String() }, { additionalProperties: false }) } },
        async (request, reply) => {
          await gate;
          if (request.body.name === "broken") throw new Error("database went away");
          if (request.body.name === "rejected") throw unprocessable("widget-rejected", "no such widgets");
          const { rows } = await database.pool.query(
            "insert into widgets (tenant_id, name) values ($1, $2) returning id",
            [request.principal.tenantId, request.body.name],
          );
          return reply.status(201).send({ id: rows[0].id, name: request.body.name });
        },
      );
    },
  });
  await app.ready();
});
afterAll(async () => {
  await app.close();
  await database.drop();
});

const post = async (tenantId: string, key: string | undefined, body: object) =>
  app.inject({
    method: "POST",
    url: "/widgets",
    headers: {
      authorization: `Bearer ${await signToken(auth, { tenantId, subject: "someone", roles: ["member"] })}`,
      ...(key === undefined ? {} : { "idempotency-key": key }),
    },
    payload: body,
  });

/** Sends the same POST twice with one key, then expects both answers to be `status`, the second replayed. */
async function expectReplayedRetry(tenantId: string, key: string, body: object, status: number) {
  const first = await post(tenantId, key, body);
  const retry = await post(tenantId, key, body);
  expect(first.statusCode).toBe(status);
  expect(retry.statusCode).toBe(status);
  expect(retry.headers["idempotent-replayed"]).toBe("true");
  return { first, retry };
}

const widgetCount = async (tenantId: string) =>
  Number(
    (await database.pool.query("select count(*) from widgets where tenant_id = $1", [tenantId])).rows[0]
      .count,
  );

describe("Idempotency-Key", () => {
  it("answers a retried POST from the stored response without writing twice", async () => {
    const tenant = randomUUID();
    const { first, retry } = await expectReplayedRetry(tenant, "key-1", { name: "gear" }, 201);
    expect(retry.json()).toEqual(first.json());
    expect(await widgetCount(tenant)).toBe(1);
  });

  it("scopes keys by tenant: the same key in another tenant is a new request", async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    await post(a, "shared-key", { name: "gear" });
    const other = await post(b, "shared-key", { name: "gear" });
    expect(other.headers["idempotent-replayed"]).toBeUndefined();
    expect(await widgetCount(b)).toBe(1);
  });

  it("rejects the same key with a different body (422) and changes nothing", async () => {
    const tenant = randomUUID();
    await post(tenant, "key-2", { name: "gear" });
    const reused = await post(tenant, "key-2", { name: "sprocket" });
    expect(reused.statusCode).toBe(422);
    expect(reused.headers["content-type"]).toContain("application/problem+json");
    expect(reused.json().type).toMatch(/idempotency-key-reused$/);
    expect(await widgetCount(tenant)).toBe(1);
  });

  it("answers a concurrent retry with 409 while the first request is still running", async () => {
    const tenant = randomUUID();
    let open!: () => void;
    gate = new Promise((resolve) => {
      open = resolve;
    });
    const first = post(tenant, "key-3", { name: "slow" });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const concurrent = await post(tenant, "key-3", { name: "slow" });
    open();
    gate = Promise.resolve();
    expect(concurrent.statusCode).toBe(409);
    expect((await first).statusCode).toBe(201);
    expect(await widgetCount(tenant)).toBe(1);
  });

  it("replays a 4xx answer but releases the key after a 5xx so the client can retry", async () => {
    const tenant = randomUUID();
    await expectReplayedRetry(tenant, "key-4", { name: "rejected" }, 422);

    const broken = await post(tenant, "key-5", { name: "broken" });
    expect(broken.statusCode).toBe(500);
    const stored = await database.pool.query(
      `select 1 from idempotency_keys where tenant_id = $1 and key = 'key-5'`,
      [tenant],
    );
    expect(stored.rowCount).toBe(0);
  });

  it("leaves requests without the header alone and rejects an oversized key", async () => {
    const tenant = randomUUID();
    await post(tenant, undefined, { name: "a" });
    await post(tenant, undefined, { name: "a" });
    expect(await widgetCount(tenant)).toBe(2);
    const oversized = await post(tenant, "k".repeat(201), { name: "a" });
    expect(oversized.statusCode).toBe(400);
    expect(await widgetCount(tenant)).toBe(2);
  });
});
