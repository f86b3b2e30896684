import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createTestDatabase } from "@okr/testkit";
import { describe, expect, it } from "vitest";

const main = fileURLToPath(new URL("../src/main.ts", import.meta.url));

describe("goals process with malformed configuration", () => {
  it("exits 78 naming each bad variable, before touching the database", async () => {
    const db = await createTestDatabase({});
    try {
      const result = spawnSync(process.execPath, [main], {
        encoding: "utf8",
        timeout: 30_000,
        env: {
          PATH: process.env.PATH,
          DATABASE_URL: db.url,
          KAFKA_BROKERS: "not a broker list",
          TEMPORAL_ADDRESS: "127.0.0.1:7233",
          AUTH_JWT_SECRET: "short",
          PORT: "99999",
        },
      });
      expect(result.status).toBe(78);
      for (const variable of ["KAFKA_BROKERS", "AUTH_JWT_SECRET", "PORT"])
        expect(result.stderr).toContain(variable);
      expect(result.stderr).not.toContain("short");
      // Nothing half-started: no migration ran against the database it was given.
      const tables = await db.pool.query(
        "select count(*)::int as n from information_schema.tables where table_schema = 'public'",
      );
      expect(tables.rows[0].n).toBe(0);
    } finally {
      await db.drop();
    }
  });
});
