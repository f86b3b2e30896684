import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { applyMigrations, MigrationError } from "../src/index.ts";
import { createTestDatabase, type TestDatabase } from "../src/testing.ts";

/**
 * The engine-free migration runner on the real Postgres: Prisma's folder layout in, Prisma's
 * `_prisma_migrations` bookkeeping out (same checksum), so `prisma migrate deploy` later agrees.
 */
describe("applyMigrations", () => {
  let database: TestDatabase;
  let dir: string;

  const write = (name: string, sql: string) => {
    mkdirSync(join(dir, name), { recursive: true });
    writeFileSync(join(dir, name, "migration.sql"), sql);
    return createHash("sha256").update(sql).digest("hex");
  };
  const apply = () => applyMigrations({ databaseUrl: database.url, migrationsDir: dir });
  const bookkeeping = async () =>
    (
      await database.pool.query<{
        migration_name: string;
        checksum: string;
        finished: boolean;
        applied_steps_count: number;
      }>(
        `select migration_name, checksum, finished_at is not null as finished, applied_steps_count
           from "_prisma_migrations" order by migration_name`,
      )
    ).rows;
  const tableExists = async (name: string) =>
    (await database.pool.query("select to_regclass($1) is not null as found", [name])).rows[0].found;

  beforeEach(async () => {
    database = await createTestDatabase({});
    dir = mkdtempSync(join(tmpdir(), "okr-migrations-"));
  });
  afterEach(async () => {
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("applies each migration once, in order, recorded as Prisma records it", async () => {
    const first = write("20260101000000_widgets", "CREATE TABLE widgets (id INT PRIMARY KEY);");
    const second = write("20260102000000_widget_name", "ALTER TABLE widgets ADD COLUMN name TEXT;");
    expect(await apply()).toEqual({ applied: ["20260101000000_widgets", "20260102000000_widget_name"] });
    expect(await bookkeeping()).toEqual([
      { migration_name: "20260101000000_widgets", checksum: first, finished: true, applied_steps_count: 1 },
      {
        migration_name: "20260102000000_widget_name",
        checksum: second,
        finished: true,
        applied_steps_count: 1,
      },
    ]);
    await database.pool.query("insert into widgets (id, name) values (1, 'gear')");

    expect(await apply()).toEqual({ applied: [] });
    write("20260103000000_widget_size", "ALTER TABLE widgets ADD COLUMN size INT;");
    expect(await apply()).toEqual({ applied: ["20260103000000_widget_size"] });
    expect(await bookkeeping()).toHaveLength(3);
  });

  it("refuses a migration that was edited after it was applied", async () => {
    write("20260101000000_widgets", "CREATE TABLE widgets (id INT PRIMARY KEY);");
    await apply();
    write("20260101000000_widgets", "CREATE TABLE widgets (id BIGINT PRIMARY KEY);");
    const refused = apply();
    await expect(refused).rejects.toBeInstanceOf(MigrationError);
    await expect(refused).rejects.toThrow(/20260101000000_widgets was modified after it was applied/);
  });

  it("rolls a failing migration back whole, records nothing for it, and names it", async () => {
    write("20260101000000_widgets", "CREATE TABLE widgets (id INT PRIMARY KEY);");
    write("20260102000000_broken", "CREATE TABLE gadgets (id INT); SELECT 1 / 0;");
    await expect(apply()).rejects.toThrow(/migration 20260102000000_broken failed: division by zero/);
    expect((await bookkeeping()).map((row) => row.migration_name)).toEqual(["20260101000000_widgets"]);
    expect(await tableExists("widgets")).toBe(true);
    expect(await tableExists("gadgets")).toBe(false);

    // Fixed on disk (never applied, so it may still change), the next run applies it.
    write("20260102000000_broken", "CREATE TABLE gadgets (id INT);");
    expect(await apply()).toEqual({ applied: ["20260102000000_broken"] });
  });

  it("lets concurrent runners (replicas starting together) apply each migration exactly once", async () => {
    const names = Array.from({ length: 5 }, (_, i) => `2026010${i + 1}000000_step_${i}`);
    names.forEach((name, i) => {
      write(name, `CREATE TABLE step_${i} (id INT);`);
    });
    const runs = await Promise.all([apply(), apply(), apply()]);
    expect(runs.flatMap((run) => run.applied).sort()).toEqual(names);
    expect((await bookkeeping()).map((row) => row.migration_name)).toEqual(names);
  });

  it("names a missing migrations folder", async () => {
    await expect(
      applyMigrations({ databaseUrl: database.url, migrationsDir: join(dir, "nowhere") }),
    ).rejects.toThrow(/no migrations folder at .*nowhere/);
  });
});
