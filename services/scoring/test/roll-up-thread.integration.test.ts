import { randomBytes, randomUUID } from "node:crypto";
import { withDatabase } from "@okr/database";
import { pgTransaction } from "@okr/messaging";
import { createTestDatabase, type TestDatabase } from "@okr/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrationsDir } from "../src/database.ts";
import { RollUpThread } from "../src/roll-up-thread.ts";
import { applyGoalsEvents } from "../src/scorer/index.ts";
import { GoalsEvents } from "./support/goals-feed.ts";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase({ migrationsDir, poolMax: 4 });
});
afterAll(() => db?.drop());

describe("the roll-up thread", () => {
  it("carries out a committed roll-up request, continuing the caller's trace", async () => {
    const goals = new GoalsEvents();
    const start = Date.now() - 10 * 86_400_000;
    const [team, objective, keyResult] = [randomUUID(), randomUUID(), randomUUID()];
    await pgTransaction(db.pool, (tx) =>
      applyGoalsEvents(
        tx.client,
        [
          goals.cycle(new Date(start), new Date(start + 90 * 86_400_000)),
          goals.team(team, "Platform"),
          goals.objective(objective, { teamId: team, kind: "committed" }),
          goals.keyResult(keyResult, objective, { baseline: 0, target: 100, weight: 1 }),
          goals.checkIn(keyResult, objective, 70, new Date(start + 86_400_000), { confidence: 0.8 }),
        ].map(({ envelope }) => envelope),
      ),
    );
    const thread = new RollUpThread({ connectionString: db.url, applicationName: "okr-roll-up-test" });
    const traceId = randomBytes(16).toString("hex");
    try {
      const outcome = await thread.run(goals.tenant, `00-${traceId}-${randomBytes(8).toString("hex")}-01`);
      expect(outcome).toEqual({ requests: 1, objectivesScored: 1 });
      // Nothing left to do: a second roll-up finds no request.
      expect(await thread.run(goals.tenant, undefined)).toEqual({ requests: 0, objectivesScored: 0 });
    } finally {
      await thread.close();
    }
    const { rows } = await db.pool.query(
      "select event_type, envelope->>'traceparent' as traceparent from outbox_events where tenant = $1",
      [goals.tenant],
    );
    expect(rows.map((row) => row.event_type).sort()).toEqual([
      "okr.key-result.scored.v1",
      "okr.objective.scored.v1",
    ]);
    // Published under the thread's roll-up span, a child of the trace it was handed.
    for (const row of rows) expect(row.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    const scored = await db.pool.query("select score from objectives where id = $1", [objective]);
    expect(scored.rows[0].score).toBeCloseTo(0.7, 10);
  });

  it("reports a roll-up that fails, keeps serving, and starts again after close", async () => {
    const missing = withDatabase(db.url, `missing_${randomBytes(4).toString("hex")}`);
    const thread = new RollUpThread({ connectionString: missing, applicationName: "okr-roll-up-test" });
    try {
      await expect(thread.run("tenant-a", undefined)).rejects.toThrow(/does not exist/);
      await expect(thread.run("tenant-a", undefined)).rejects.toThrow(/does not exist/);
      await thread.close();
      await expect(thread.run("tenant-a", undefined)).rejects.toThrow(/does not exist/);
    } finally {
      await thread.close();
    }
  });
});
