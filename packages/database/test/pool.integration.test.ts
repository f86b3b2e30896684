import { testEndpoints, waitFor } from "@okr/endpoints";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPool } from "../src/index.ts";
import { createTestDatabase, type TestDatabase } from "../src/testing.ts";

describe("createPool", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase({});
  });
  afterAll(() => database.drop());

  it("survives the server ending an idle connection, reports it, and reconnects on the next query", async () => {
    const lost: Error[] = [];
    const pool = createPool({
      connectionString: database.url,
      max: 1,
      applicationName: "okr-pool-test",
      onIdleError: (error) => lost.push(error),
    });
    try {
      const { rows } = await pool.query<{ pid: number }>("select pg_backend_pid() as pid");
      const admin = new pg.Client({ connectionString: testEndpoints().GOALS_DATABASE_URL });
      await admin.connect();
      try {
        // What a Postgres restart, a failover or an administrator does to a connection the pool holds idle.
        await admin.query("select pg_terminate_backend($1)", [rows[0]!.pid]);
      } finally {
        await admin.end();
      }
      await waitFor("the pool to hear of it", () => (lost.length > 0 ? lost : undefined));
      expect(lost[0]).toMatchObject({ code: "57P01" });
      const after = await pool.query<{ pid: number }>("select pg_backend_pid() as pid");
      expect(after.rows[0]!.pid).not.toBe(rows[0]!.pid);
    } finally {
      await pool.end();
    }
  });
});
