import { randomUUID } from "node:crypto";
import { startTestService, type TestService, testBus, waitFor } from "@okr/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ScoringDb } from "../src/database.ts";
import { createScoringService } from "../src/service.ts";
import { GoalsEvents, GoalsFeed } from "./support/goals-feed.ts";

let service: TestService<ScoringDb>;
const goals = new GoalsEvents();
const team = randomUUID();
const objective = randomUUID();
const keyResult = randomUUID();
const day = 86_400_000;

beforeAll(async () => {
  const feed = new GoalsFeed(testBus());
  await feed.ensure();
  service = await startTestService(createScoringService({ topics: feed.topicList }));
  const start = Date.now() - 10 * day;
  await feed.send([
    goals.cycle(new Date(start), new Date(start + 90 * day)),
    goals.team(team, "Platform"),
    goals.objective(objective, { teamId: team, kind: "committed" }),
    goals.keyResult(keyResult, objective, { baseline: 0, target: 10, weight: 1 }),
    goals.checkIn(keyResult, objective, 5, new Date(start + day), { confidence: 0.8 }),
  ]);
  await waitFor("the key result's score", async () => {
    const response = await call("GET", `/scores/key-results/${keyResult}`);
    return response.statusCode === 200 && response.json().checkInCount === 1;
  });
  // The objective's roll-up follows the KR's score: wait for it so nothing moves during the test.
  await waitFor("the objective's score", async () => {
    const response = await call("GET", `/scores/objectives/${objective}`);
    return response.statusCode === 200 && response.json().score !== null;
  });
});
afterAll(() => service?.stop());

async function call(method: "GET" | "POST", url: string, payload?: object) {
  return service.app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${await service.token(["admin"], goals.tenant)}` },
    ...(payload ? { payload } : {}),
  });
}

/** What a request could change: scores, frozen grades, the outbox (its sequence moves even on rollback). */
async function snapshot() {
  const { rows } = await service.runtime.pool.query(
    `select (select json_agg(k order by id) from key_results k) as key_results,
            (select json_agg(o order by id) from objectives o) as objectives,
            (select count(*) from cycle_gradings)::int as gradings,
            (select last_value::text from outbox_events_seq_seq) as outbox`,
  );
  return JSON.stringify(rows[0]);
}

describe("bad input to scoring", () => {
  it("answers unknown query parameters and unknown cycles with a 4xx problem+json, like the other services", async () => {
    const cases: [string, "GET" | "POST", string, object | undefined, number][] = [
      [
        "unknown parameter on a KR score",
        "GET",
        `/scores/key-results/${keyResult}?verbose=1`,
        undefined,
        400,
      ],
      ["unknown parameter on an objective", "GET", `/scores/objectives/${objective}?x=`, undefined, 400],
      ["misspelt cycle parameter", "GET", `/scores/teams/${team}?cycleid=${goals.cycleId}`, undefined, 400],
      [
        "extra parameter beside cycleId",
        "GET",
        `/scores/teams/${team}?cycleId=${goals.cycleId}&limit=5`,
        undefined,
        400,
      ],
      ["unknown parameter on a cycle", "GET", `/scores/cycles/${goals.cycleId}?all=true`, undefined, 400],
      [
        "unknown parameter on final grading",
        "POST",
        `/cycles/${goals.cycleId}/final-grading?force=true`,
        {},
        400,
      ],
      [
        "team scores in a cycle that does not exist",
        "GET",
        `/scores/teams/${team}?cycleId=${randomUUID()}`,
        undefined,
        404,
      ],
      ["NUL in a query value", "GET", `/scores/teams/${team}?cycleId=%00`, undefined, 400],
    ];
    const before = await snapshot();
    for (const [what, method, url, payload, status] of cases) {
      const response = await call(method, url, payload);
      expect([what, response.statusCode]).toEqual([what, status]);
      expect(response.headers["content-type"], what).toMatch(/application\/problem\+json/);
      expect(response.json().detail, what).toBeTruthy();
    }
    const foreign = await service.app.inject({
      url: `/scores/key-results/${keyResult}`,
      headers: {
        authorization: `Bearer ${service.signClaims({ tenant: "not-a-uuid", sub: "x", roles: ["admin"], exp: Math.floor(Date.now() / 1000) + 600 })}`,
      },
    });
    expect(foreign.statusCode).toBe(401);
    expect(foreign.headers["www-authenticate"]).toMatch(/error="invalid_token"/);
    expect(await snapshot()).toBe(before);

    // The same reads without the stray parameters answer.
    expect((await call("GET", `/scores/teams/${team}?cycleId=${goals.cycleId}`)).json()).toMatchObject({
      teamId: team,
      objectives: [{ objectiveId: objective }],
    });
    expect((await call("GET", `/scores/key-results/${keyResult}`)).statusCode).toBe(200);
  });
});
