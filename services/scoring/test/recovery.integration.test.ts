import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { pgTransaction } from "@okr/messaging";
import { DEFAULT_SCORING_POLICY } from "@okr/scoring-rules";
import {
  createTestDatabase,
  type TestDatabase,
  testBus,
  testEndpoints,
  uniqueName,
  waitFor,
} from "@okr/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createScoringConsumer } from "../src/consumer.ts";
import { migrationsDir } from "../src/database.ts";
import { livePolicies } from "../src/policies.ts";
import { loadCycle, scoreCycle } from "../src/recompute.ts";
import { applyGoalsEvents } from "../src/scorer/index.ts";
import { GoalsEvents, GoalsFeed } from "./support/goals-feed.ts";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase({ migrationsDir, poolMax: 6 });
});
afterAll(() => db?.drop());

/** mulberry32: the generated organization is the same on every run. */
function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * One tenant's cycle: objectives cascading through aligns-to and contributes-to links (diamonds
 * included), KRs of every type, and check-ins in shuffled order with some delivered twice.
 */
function organization(goals: GoalsEvents, seed: number) {
  const rand = random(seed);
  const pick = <T>(items: T[]) => items[Math.floor(rand() * items.length)]!;
  const start = Date.now() - 40 * 86_400_000;
  const teams = [randomUUID(), randomUUID(), randomUUID()];
  const structure: ReturnType<GoalsEvents["event"]>[] = [
    goals.cycle(new Date(start), new Date(start + 90 * 86_400_000)),
  ];
  const checkIns: ReturnType<GoalsEvents["event"]>[] = [];
  const objectives: string[] = [];
  const keyResults: { id: string; objectiveId: string; type: string }[] = [];
  for (const [i, team] of teams.entries()) structure.push(goals.team(team, `Team ${i}`));
  for (let o = 0; o < 24; o++) {
    const id = randomUUID();
    const alignedTo = o > 0 && rand() < 0.6 ? pick(objectives) : null;
    const contributesTo = o > 2 && rand() < 0.4 ? pick(keyResults).id : null;
    // Upserted twice: version 2 (the one that counts) may arrive before version 1.
    const v1 = goals.objective(id, { teamId: pick(teams), version: 1 });
    const v2 = goals.objective(id, {
      teamId: pick(teams),
      kind: rand() < 0.5 ? "committed" : "aspirational",
      weight: 1 + Math.floor(rand() * 3),
      alignedTo,
      contributesTo,
      version: 2,
    });
    structure.push(...(rand() < 0.5 ? [v1, v2] : [v2, v1]));
    objectives.push(id);
    for (let k = 0; k < 3; k++) {
      const keyResultId = randomUUID();
      const type = pick(["increase-to", "decrease-to", "stay-above", "stay-between", "milestone"]);
      const definition =
        type === "increase-to"
          ? { baseline: 0, target: 100 }
          : type === "decrease-to"
            ? { baseline: 100, target: 20 }
            : type === "stay-above"
              ? { baseline: null, target: 50 }
              : type === "stay-between"
                ? { baseline: null, target: null, bandLow: 30, bandHigh: 70 }
                : { baseline: null, target: null, milestones: ["a", "b", "c", "d", "e"] };
      structure.push(
        goals.keyResult(keyResultId, id, { type, weight: 1 + Math.floor(rand() * 4), ...definition }),
      );
      keyResults.push({ id: keyResultId, objectiveId: id, type });
    }
  }
  for (let c = 0; c < 700; c++) {
    const keyResult = pick(keyResults);
    const recordedAt = new Date(start + Math.floor(rand() * 40) * 86_400_000);
    const value = Math.round(rand() * 1200) / 10;
    const event = goals.checkIn(keyResult.id, keyResult.objectiveId, value, recordedAt, {
      confidence: Math.round(rand() * 10) / 10,
      ...(keyResult.type === "milestone" ? { milestonesDone: Math.floor(rand() * 6) } : {}),
    });
    checkIns.push(event);
    if (rand() < 0.1) checkIns.push(event); // a duplicate delivery
  }
  return { structure, checkIns };
}

function startCrashableConsumer(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [fileURLToPath(new URL("./support/consumer-process.ts", import.meta.url))],
    {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`consumer process exited with ${code}`)));
    child.stdout!.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("consuming")) resolve(child);
    });
  });
}

/**
 * Events applied so far: the processed-events records of the group, plus the stored check-ins (a
 * check-in event is deduplicated by its row and gets no record, see the scoring consumer).
 */
const appliedCount = async (groupId: string, tenants: string[]) =>
  Number(
    (
      await db.pool.query(
        `select (select count(*) from processed_events where consumer_group = $1)
              + (select count(*) from check_ins where tenant_id = any($2)) as count`,
        [groupId, tenants],
      )
    ).rows[0].count,
  );

describe("crash and restart", () => {
  it("a consumer SIGKILLed mid-stream and restarted ends with the scores of a from-scratch recompute", async () => {
    const bus = testBus();
    const feed = new GoalsFeed(bus);
    await feed.ensure();
    const groupId = uniqueName("scoring-crash");
    // Tenant A scores own KRs only; tenant B blends children into parents (ancestor paths re-scored).
    const a = new GoalsEvents();
    const b = new GoalsEvents();
    await db.pool.query(
      "insert into scoring_policies (tenant_id, id, version, definition) values ($1, 'default', 2, $2)",
      [
        b.tenant,
        JSON.stringify({
          ...DEFAULT_SCORING_POLICY,
          version: 2,
          rollup: { mode: "blend-children", childShare: 0.5 },
        }),
      ],
    );
    const orgA = organization(a, 7);
    const orgB = organization(b, 11);
    const all = [...orgA.structure, ...orgB.structure, ...orgA.checkIns, ...orgB.checkIns];
    const uniqueEvents = new Set(all.map((event) => event.envelope.id)).size;
    const tenants = [a.tenant, b.tenant];
    await feed.send(all);

    const env = {
      SCORING_TEST_DATABASE_URL: db.url,
      SCORING_TEST_TOPICS: feed.topicList.join(","),
      SCORING_TEST_GROUP: groupId,
      KAFKA_BROKERS: testEndpoints().KAFKA_BROKERS,
    };
    const doomed = await startCrashableConsumer(env);
    await waitFor(
      "a part of the stream",
      async () => (await appliedCount(groupId, tenants)) >= uniqueEvents / 4,
      60_000,
    );
    doomed.kill("SIGKILL");
    await new Promise((resolve) => doomed.once("exit", resolve));
    expect(await appliedCount(groupId, tenants)).toBeLessThan(uniqueEvents);

    const restarted = createScoringConsumer(db.pool, bus, {
      groupId,
      topics: feed.topicList,
      sessionTimeoutMs: 6_000,
    });
    await restarted.start();
    try {
      await waitFor(
        "the whole stream",
        async () => (await appliedCount(groupId, tenants)) === uniqueEvents,
        90_000,
      );
    } finally {
      await restarted.stop();
    }
    expect(restarted.consumer.stats.deadLettered).toBe(0);

    const farFuture = Date.parse("2999-01-01T00:00:00Z");
    for (const goals of [a, b]) {
      const policy = (await livePolicies(db.pool, [goals.tenant])).get(goals.tenant)!;
      const snapshot = (await loadCycle(db.pool, goals.tenant, goals.cycleId))!;
      const expected = scoreCycle(snapshot, policy, farFuture);
      const keyResults = await db.pool.query(
        "select id, score, progress from key_results where tenant_id = $1",
        [goals.tenant],
      );
      expect(keyResults.rows).toHaveLength(72);
      for (const row of keyResults.rows) {
        expect(row.score).toBe(expected.keyResults.get(row.id)!.score);
        expect(row.progress).toBe(expected.keyResults.get(row.id)!.progress);
      }
      const objectives = await db.pool.query(
        "select id, score, own_score, grade, version from objectives where tenant_id = $1",
        [goals.tenant],
      );
      expect(objectives.rows).toHaveLength(24);
      for (const row of objectives.rows) {
        const scored = expected.objectives.get(row.id)!;
        expect(row.version).toBe(2);
        expect(row.own_score).toBe(scored.ownScore);
        expect(row.score).toBe(scored.score);
        expect(row.grade).toBe(scored.grade);
      }
      // Under tenant B's blend policy, parents really do mix in their children.
      const blended = objectives.rows.filter((row) => row.score !== row.own_score).length;
      expect(blended > 0).toBe(goals === b);
    }
  });
});

describe("objective roll-up after a crash", () => {
  it("a batch committed without its roll-up leaves a request that the next consumer's start carries out", async () => {
    const goals = new GoalsEvents();
    const start = Date.now() - 10 * 86_400_000;
    const objective = randomUUID();
    const [team, first, second] = [randomUUID(), randomUUID(), randomUUID()];
    const events = [
      goals.cycle(new Date(start), new Date(start + 90 * 86_400_000)),
      goals.team(team, "Platform"),
      goals.objective(objective, { teamId: team, kind: "committed" }),
      goals.keyResult(first, objective, { baseline: 0, target: 100, weight: 1 }),
      goals.keyResult(second, objective, { baseline: 0, target: 100, weight: 3 }),
      goals.checkIn(first, objective, 80, new Date(start + 86_400_000), { confidence: 0.8 }),
      goals.checkIn(second, objective, 40, new Date(start + 86_400_000), { confidence: 0.6 }),
    ].map(({ envelope }) => envelope);

    // The batch's transaction commits, then the process dies before its roll-up runs.
    await pgTransaction(db.pool, (tx) => applyGoalsEvents(tx.client, events));
    const scoreOf = async () =>
      (await db.pool.query("select score from objectives where id = $1", [objective])).rows[0]?.score;
    expect(await scoreOf()).toBeNull();
    const requests = await db.pool.query(
      "select objective_ids, key_result_ids from objective_roll_up_requests where tenant_id = $1",
      [goals.tenant],
    );
    expect(requests.rows.flatMap((row) => row.objective_ids)).toContain(objective);
    expect(requests.rows.flatMap((row) => row.key_result_ids).sort()).toEqual([first, second].sort());
    const scoreEvents = async (type: string) =>
      (
        await db.pool.query(
          "select envelope->'data' as data from outbox_events where event_type = $1 and tenant = $2",
          [type, goals.tenant],
        )
      ).rows.map((row) => row.data);
    // The score events are the roll-up's to publish.
    expect(await scoreEvents("okr.key-result.scored.v1")).toEqual([]);

    const feed = new GoalsFeed(testBus());
    await feed.ensure();
    const restarted = createScoringConsumer(db.pool, testBus(), {
      groupId: uniqueName("scoring-roll-up"),
      topics: feed.topicList,
    });
    await restarted.start();
    try {
      // Weighted mean of the KR scores 0.8 (weight 1) and 0.4 (weight 3).
      await waitFor("the objective's roll-up", async () => (await scoreOf()) !== null, 30_000);
    } finally {
      await restarted.stop();
    }
    expect(await scoreOf()).toBeCloseTo((0.8 * 1 + 0.4 * 3) / 4, 10);
    const left = await db.pool.query(
      "select count(*)::int as n from objective_roll_up_requests where tenant_id = $1",
      [goals.tenant],
    );
    expect(left.rows[0].n).toBe(0);
    const keyResultEvents = await scoreEvents("okr.key-result.scored.v1");
    expect(keyResultEvents.map((data) => [data.keyResultId, data.score]).sort()).toEqual(
      [
        [first, 0.8],
        [second, 0.4],
      ].sort(),
    );
    const objectiveEvents = await scoreEvents("okr.objective.scored.v1");
    expect(objectiveEvents.map((data) => data.objectiveId)).toEqual([objective]);
  });
});
