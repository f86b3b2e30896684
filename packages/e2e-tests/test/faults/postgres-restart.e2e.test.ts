import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { goalsService } from "@okr/goals-service/service";
import { scoringService } from "@okr/scoring-service/service";
import {
  type PrivatePostgres,
  startPrivatePostgres,
  startTestService,
  type TestService,
  waitFor,
} from "@okr/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * Goals and scoring on a Postgres of the test's own (one database each, as in production) and the
 * shared broker, under a steady load of check-ins; Postgres restarts (immediate: every connection dies,
 * as in a crash) mid-load. Neither service is restarted: they must come back by themselves.
 */
let server: PrivatePostgres;
let goals: TestService<unknown>;
let scoring: TestService<unknown>;
beforeAll(async () => {
  server = await startPrivatePostgres("e2e-postgres-restart");
  const databaseServerUrl = server.url("postgres");
  [goals, scoring] = await Promise.all([
    startTestService(goalsService, {}, { databaseServerUrl }),
    startTestService(scoringService, {}, { databaseServerUrl }),
  ]);
}, 180_000);
afterAll(async () => {
  await Promise.all([goals?.stop(), scoring?.stop()]);
  await server?.stop();
});

const tenantId = randomUUID();
const adminId = randomUUID();
const CLIENTS = 8;
const KEY_RESULTS = 4;
/** Per client: 8 clients x one check-in per 160 ms = 50 check-ins a second when answers are quick. */
const PACE_MS = 160;
const LOAD_MS = 14_000;
const RESTART_AT_MS = 4_000;
const DELIVERY_BOUND_MS = 30_000;

let token: string | undefined;
async function goalsCall(method: "POST" | "PUT", url: string, payload: object) {
  token ??= await goals.token(["admin"], tenantId, adminId);
  return goals.app.inject({ method, url, payload, headers: { authorization: `Bearer ${token}` } });
}

/** The organization the load runs on; a 503 from a machine too busy to hand out a connection is retried. */
async function setUp(url: string, payload: object, method: "POST" | "PUT" = "POST") {
  for (let attempt = 1; ; attempt++) {
    const response = await goalsCall(method, url, payload);
    if (response.statusCode === 503 && attempt < 5) {
      await sleep(1000);
      continue;
    }
    if (response.statusCode >= 300) throw new Error(`${url} -> ${response.statusCode}: ${response.body}`);
    return response.json();
  }
}

interface Answer {
  at: number;
  note: string;
  status: number;
  checkInId?: string;
  retryAfter?: string;
}

describe("a Postgres restart under load", () => {
  it("loses no accepted check-in, doubles none, answers no 500, and scoring catches up without a service restart", async () => {
    await setUp("/organization", { name: "Restart E2E", mission: "Scores that survive a crash" }, "PUT");
    const team = await setUp("/teams", { name: "Platform" });
    const now = Date.now();
    const cycle = await setUp("/cycles", {
      name: `e2e-${randomUUID().slice(0, 8)}`,
      startsAt: new Date(now - 30 * 86_400_000).toISOString(),
      endsAt: new Date(now + 60 * 86_400_000).toISOString(),
      timeZone: "Europe/Berlin",
    });
    const objective = await setUp("/objectives", {
      cycleId: cycle.id,
      title: "Ship faster",
      kind: "aspirational",
      owner: { kind: "team", id: team.id },
      keyResults: Array.from({ length: KEY_RESULTS }, (_, i) => ({
        title: `Cut lead time ${i}`,
        type: "decrease-to",
        baseline: 20,
        target: 5,
        unit: "days",
      })),
    });
    const keyResultIds: string[] = objective.keyResults.map((kr: { id: string }) => kr.id);
    // Scoring first works through what other tests left on the shared goals topics: the load starts
    // once it has caught up to this test's key results.
    await waitFor(
      "scoring to know the key results",
      async () =>
        (
          await scoring.runtime.pool.query("select 1 from key_results where id = any($1::uuid[])", [
            keyResultIds,
          ])
        ).rowCount === KEY_RESULTS,
      120_000,
    );

    const answers: Answer[] = [];
    const started = Date.now();
    const client = async (keyResultId: string, index: number) => {
      for (let n = 0; Date.now() - started < LOAD_MS; n++) {
        const tick = Date.now();
        const note = `client ${index} #${n}`;
        const response = await goalsCall("POST", `/key-results/${keyResultId}/check-ins`, {
          value: 20 - (n % 15),
          confidence: 0.7,
          note,
          evidence: { url: "https://grafana.example/lead-time" },
        });
        answers.push({
          at: tick - started,
          note,
          status: response.statusCode,
          checkInId: response.statusCode === 201 ? response.json().id : undefined,
          retryAfter: response.headers["retry-after"] as string | undefined,
        });
        await sleep(Math.max(0, PACE_MS - (Date.now() - tick)));
      }
    };
    const load = Promise.all(
      Array.from({ length: CLIENTS }, (_, index) => client(keyResultIds[index % KEY_RESULTS]!, index)),
    );
    await sleep(RESTART_AT_MS);
    const restartBegan = Date.now() - started;
    await server.restart({ mode: "immediate" });
    const restartEnded = Date.now() - started;
    await load;
    const loadEnded = Date.now();

    const accepted = answers.filter((answer) => answer.status === 201);
    const serverErrors = answers.filter((answer) => answer.status >= 500);
    const unavailable = serverErrors.filter((answer) => answer.status === 503);
    const firstAcceptedAfter = accepted.find(
      (answer) => answer.at >= restartBegan && answer.at >= restartEnded,
    );

    // Scoring is current when it holds every check-in goals stored, each counted once in its KR, and
    // has rolled them up to the objective.
    const goalsRows = async () =>
      (
        await goals.runtime.pool.query<{ id: string; note: string }>(
          "select id, note from check_ins where key_result_id = any($1::uuid[])",
          [keyResultIds],
        )
      ).rows;
    const scoringState = async () => {
      const [rows, counts, rollUps] = await Promise.all([
        scoring.runtime.pool.query<{ id: string }>(
          "select id from check_ins where key_result_id = any($1::uuid[])",
          [keyResultIds],
        ),
        scoring.runtime.pool.query<{ total: string }>(
          "select coalesce(sum(check_in_count), 0) as total from key_results where id = any($1::uuid[])",
          [keyResultIds],
        ),
        // The roll-ups (objective scores and score events) the batches asked for, not yet done.
        scoring.runtime.pool.query("select 1 from objective_roll_up_requests where tenant_id = $1", [
          tenantId,
        ]),
      ]);
      return {
        ids: new Set(rows.rows.map((row) => row.id)),
        counted: Number(counts.rows[0]?.total ?? 0),
        rollUpsPending: rollUps.rowCount ?? 0,
      };
    };
    const stored = await goalsRows();
    let delivered = 0;
    let counted = 0;
    let deliveredAt: number | undefined;
    try {
      await waitFor(
        "scoring to hold every accepted check-in",
        async () => {
          const state = await scoringState();
          delivered = accepted.filter((answer) => state.ids.has(answer.checkInId!)).length;
          counted = state.counted;
          return (
            delivered === accepted.length &&
            state.ids.size === stored.length &&
            counted === stored.length &&
            state.rollUpsPending === 0
          );
        },
        DELIVERY_BOUND_MS,
      );
      deliveredAt = Date.now();
    } catch {
      // Reported below with the figures.
    }
    const figures = {
      sent: answers.length,
      perSecond: Math.round((answers.length * 1000) / LOAD_MS),
      accepted: accepted.length,
      storedInGoals: stored.length,
      delivered,
      lost: accepted.length - delivered,
      doubledInGoals: stored.length - new Set(stored.map((row) => row.note)).size,
      doubledInScoring: Math.max(0, counted - stored.length),
      serverErrors5xx: serverErrors.length,
      unavailable503: unavailable.length,
      other5xx: serverErrors.length - unavailable.length,
      restartMs: restartEnded - restartBegan,
      recoverMs: firstAcceptedAfter ? firstAcceptedAfter.at - restartBegan : null,
      scoringCaughtUpMsAfterLoad: deliveredAt ? deliveredAt - loadEnded : null,
      scoringCaughtUpMsAfterRestart: deliveredAt ? deliveredAt - started - restartBegan : null,
    };
    console.log(`postgres restart under load: ${JSON.stringify(figures)}`);

    expect(figures.other5xx).toBe(0);
    expect(unavailable.every((answer) => answer.retryAfter !== undefined)).toBe(true);
    expect(answers.filter((answer) => answer.status < 500 && answer.status !== 201)).toEqual([]);
    expect(firstAcceptedAfter).toBeDefined();
    expect(figures.lost).toBe(0);
    expect(figures.doubledInGoals).toBe(0);
    expect(figures.doubledInScoring).toBe(0);
    expect(deliveredAt).toBeDefined();
    // Goals stored nothing it was not sent (a 503 whose commit went through is still one of ours).
    const sentNotes = new Set(answers.map((answer) => answer.note));
    expect(stored.filter((row) => !sentNotes.has(row.note))).toEqual([]);
  }, 240_000);
});
