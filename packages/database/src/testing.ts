import { randomBytes } from "node:crypto";
import { testEndpoints } from "@okr/endpoints";
import type pg from "pg";
import { dropDatabase, ensureDatabases, withDatabase } from "./databases.ts";
import { applyMigrations } from "./migrations.ts";
import { createPool } from "./pool.ts";

// A test helper (exported as @okr/database/testing, re-exported by @okr/testkit); production code never imports it.

export interface TestDatabase {
  url: string;
  pool: pg.Pool;
  /** Closes the pool and drops the database. */
  drop(): Promise<void>;
}

/**
 * A fresh database on the real test server (or a private one a fault test controls), migrated with a service's committed migrations (or raw SQL),
 * so test files run in parallel without sharing rows.
 */
export async function createTestDatabase(options: {
  migrationsDir?: string;
  sql?: string;
  poolMax?: number;
  /** Any database URL of the server to create it on (default: the shared test server). */
  serverUrl?: string;
}): Promise<TestDatabase> {
  const serverUrl = options.serverUrl ?? testEndpoints().GOALS_DATABASE_URL;
  const name = `test_${randomBytes(6).toString("hex")}`;
  await ensureDatabases(serverUrl, [name]);
  const url = withDatabase(serverUrl, name);
  if (options.migrationsDir)
    await applyMigrations({ databaseUrl: url, migrationsDir: options.migrationsDir });
  const pool = createPool({ connectionString: url, max: options.poolMax ?? 5, applicationName: "okr-test" });
  if (options.sql) await pool.query(options.sql);
  return {
    url,
    pool,
    async drop() {
      await pool.end();
      await dropDatabase(serverUrl, name);
    },
  };
}
