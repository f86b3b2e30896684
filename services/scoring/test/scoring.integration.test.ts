import { randomUUID } from "node:crypto";
import { SCORING_TOPICS } from "@okr/events";
import { deadLetterTopic, HEADER } from "@okr/messaging";
import { collectMessages, findMessage, startTestService, type TestService, waitFor } from "@okr/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ScoringDb } from "../src/database.ts";
import { createScoringService } from "../src/service.ts";
import { GoalsEvents, GoalsFeed } from "./support/goals-feed.ts";

let service: TestService<ScoringDb>;
let feed: GoalsFeed;
const day = 86_400_000;

beforeAll(async () => {
  const { testBus } = await import("@okr/testkit");
  feed = new GoalsFeed(testBus());
  await feed.ensure();
  service = await startTestService(createScoringService({ topics: feed.topicList }));
});
afterAll(() => service?.stop());

type Roles = ("admin" | "member" | "service")[];

/** A request signed for the tenant with the given roles; without a payload the request has no body at all. */
async function call(
  method: "GET" | "POST" | "PUT" | "PATCH",
  url: string,
  tenant: string,
  roles: Roles,
  payload?: object,
) {
  return service.app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${await service.token(roles, tenant)}` },
    ...(payload === undefined ? {} : { payload }),
  });
}

const get = (url: string, tenant: string, roles: Roles = ["member"]) => call("GET", url, tenant, roles);

const keyResultScore = async (goals: GoalsEvents, keyResultId: string) => {
  const response = await get(`/scores/key-results/${keyResultId}`, goals.tenant);
  return response.statusCode === 200 ? response.json() : undefined;
};

/** Waits until the key result's score counts `count` check-ins, and returns that score. */
const scoreWithCheckIns = (what: string, goals: GoalsEvents, keyResultId: string, count: number) =>
  waitFor(what, async () => {
    const score = await keyResultScore(goals, keyResultId);
    return score?.checkInCount === count ? score : undefined;
  });

/** POST final-grading of the goals cycle as `roles`. */
const finalGrading = (goals: GoalsEvents, roles: Roles, payload?: object) =>
  call("POST", `/cycles/${goals.cycleId}/final-grading`, goals.tenant, roles, payload);

/** A tenant and cycle of their own with one team's objective, and the events that set them up. */
function tenantWithObjective(startsAt: number, endsAt: number, phase?: "CHECK_INS" | "SCORING") {
  const goals = new GoalsEvents();
  const objective = randomUUID();
  const setup = [
    goals.cycle(new Date(startsAt), new Date(endsAt), phase),
    goals.objective(objective, { teamId: randomUUID() }),
  ];
  return { goals, objective, setup };
}

/** The reports final grading froze for the cycle (none until it froze one). */
const frozenReports = async (cycleId: string) =>
  (
    await service.runtime.pool.query("select report from cycle_gradings where cycle_id = $1", [cycleId])
  ).rows.map((row) => row.report);

describe("scores from goals events", () => {
  const goals = new GoalsEvents();
  const team = randomUUID();
  const objective = randomUUID();
  const metric = randomUUID();
  const milestone = randomUUID();
  const fine = randomUUID();
  const start = Date.now() - 30 * day;

  it("scores key results and their objective (weighted mean) and publishes score events", async () => {
    await feed.send([
      goals.cycle(new Date(start), new Date(start + 90 * day)),
      goals.team(team, "Platform"),
      goals.objective(objective, { teamId: team, kind: "committed" }),
      goals.keyResult(metric, objective, { baseline: 10, target: 110, weight: 1 }),
      goals.keyResult(milestone, objective, {
        type: "milestone",
        baseline: null,
        target: null,
        milestones: ["design", "build", "ship", "measure"],
        weight: 3,
      }),
      goals.checkIn(metric, objective, 60, new Date(start + 7 * day), { confidence: 0.9 }),
      goals.checkIn(milestone, objective, 0, new Date(start + 7 * day), {
        milestonesDone: 2,
        confidence: 0.4,
      }),
    ]);

    const scored = await scoreWithCheckIns("the milestone KR's score", goals, milestone, 1);
    expect(scored).toMatchObject({ progress: 0.5, score: 0.5, confidence: 0.4, currentValue: 2 });
    const objectiveView = await waitFor("the objective's score", async () => {
      const body = (await get(`/scores/objectives/${objective}`, goals.tenant)).json();
      return body.keyResults?.every((kr: { checkInCount: number }) => kr.checkInCount === 1) &&
        body.score !== null
        ? body
        : undefined;
    });
    // (0.5 * 1 + 0.5 * 3) / 4 = 0.5; committed: expected at 1.0, band yellow.
    expect(objectiveView).toMatchObject({ score: 0.5, grade: 0.5, band: "yellow", confidence: 0.4 });

    const event = await findMessage(SCORING_TOPICS.scores, (m) => {
      const body = JSON.parse(m.value?.toString() ?? "{}");
      return (
        body.type === "okr.objective.scored.v1" &&
        body.data.objectiveId === objective &&
        body.data.score === 0.5
      );
    });
    expect(JSON.parse(event.value!.toString())).toMatchObject({
      tenant: goals.tenant,
      data: { kind: "committed", band: "yellow", policy: { id: "default", version: 1 } },
    });
  });

  it("resolves out-of-order check-ins by check-in time and changes nothing on a redelivery", async () => {
    const later = goals.checkIn(metric, objective, 90, new Date(start + 21 * day));
    const earlier = goals.checkIn(metric, objective, 30, new Date(start + 14 * day));
    // The newer check-in arrives first, then the older one, then the newer one again (redelivered).
    await feed.send([later, earlier, later]);
    const score = await scoreWithCheckIns("all three check-ins on the metric KR", goals, metric, 3);
    expect(score).toMatchObject({ currentValue: 90, progress: 0.8, score: 0.8 });
    // The objective rolls up after its KR's score commits (a transaction of its own, on the roll-up thread).
    const history = await waitFor("the objective's roll-up of the newest check-in", async () => {
      const body = (await get(`/scores/objectives/${objective}/history`, goals.tenant)).json();
      return body.items.at(-1)?.score === (0.8 + 0.5 * 3) / 4 ? body : undefined;
    });
    // A second delivery of an already-applied check-in leaves count and history as they were.
    await feed.send([later]);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect((await keyResultScore(goals, metric)).checkInCount).toBe(3);
    const again = (await get(`/scores/objectives/${objective}/history`, goals.tenant)).json();
    expect(again.items).toHaveLength(history.items.length);
  });

  it("counts check-ins that arrived before their key result, and every one after it", async () => {
    // Its own tenant and cycle, so the final grading below sees only the shared objective's KRs.
    const { goals: own, objective: ownObjective, setup } = tenantWithObjective(start, start + 90 * day);
    const early = randomUUID();
    await feed.send(setup);
    // Goals' topics are partitioned independently: a KR's check-ins can be applied before the KR itself.
    await feed.send([
      own.checkIn(early, ownObjective, 2, new Date(start + 7 * day)),
      own.checkIn(early, ownObjective, 4, new Date(start + 14 * day)),
    ]);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect((await get(`/scores/key-results/${early}`, own.tenant)).statusCode).toBe(404);
    await feed.send([own.keyResult(early, ownObjective, { baseline: 0, target: 10 })]);
    await scoreWithCheckIns("the KR with its two early check-ins", own, early, 2);
    await feed.send([own.checkIn(early, ownObjective, 6, new Date(start + 21 * day))]);
    const score = await scoreWithCheckIns("the third check-in", own, early, 3);
    expect(score).toMatchObject({ currentValue: 6, progress: 0.6 });
  });

  it("keeps a KR's latest check-ins (the trend window) on its row and scores from them", async () => {
    const { goals: own, objective: ownObjective, setup } = tenantWithObjective(start, start + 90 * day);
    const kr = randomUUID();
    await feed.send([...setup, own.keyResult(kr, ownObjective, { baseline: 0, target: 100 })]);
    await waitFor("the KR", () => keyResultScore(own, kr));
    // One at a time, so each re-score merges the stored window with one new check-in; days out of order.
    const readings = [
      { day: 5, value: 10, confidence: 0.9 },
      { day: 20, value: 40, confidence: 0.5 },
      { day: 10, value: 20, confidence: 0.8 },
      { day: 15, value: 30, confidence: 0.6 },
      { day: 1, value: 5, confidence: 1 },
    ];
    for (const [i, reading] of readings.entries()) {
      await feed.send([
        own.checkIn(kr, ownObjective, reading.value, new Date(start + reading.day * day), {
          confidence: reading.confidence,
        }),
      ]);
      await scoreWithCheckIns(`check-in ${i + 1}`, own, kr, i + 1);
    }
    const { rows } = await service.runtime.pool.query(
      "select recent_check_ins, confidence_trend from key_results where id = $1",
      [kr],
    );
    // The default policy's window is 3: days 20, 15, 10, latest first, as [id, epoch ms, value, done, confidence].
    const recent = rows[0].recent_check_ins as [string, number, number, number | null, number][];
    expect(recent.map(([, at, value, , confidence]) => [at, value, confidence])).toEqual([
      [start + 20 * day, 40, 0.5],
      [start + 15 * day, 30, 0.6],
      [start + 10 * day, 20, 0.8],
    ]);
    // Trend over those three, oldest first (0.8, 0.6, 0.5): the least-squares slope is -0.15.
    expect(rows[0].confidence_trend).toBeCloseTo(-0.15, 10);
    expect(await keyResultScore(own, kr)).toMatchObject({ currentValue: 40, progress: 0.4, checkInCount: 5 });
  });

  it("dead-letters a key result that cannot be scored and keeps consuming", async () => {
    const broken = randomUUID();
    await feed.send([
      goals.keyResult(broken, objective, { baseline: 5, target: 5 }),
      goals.keyResult(fine, objective, { baseline: 0, target: 10 }),
    ]);
    await waitFor("the good KR", () => keyResultScore(goals, fine));
    const dead = await collectMessages(deadLetterTopic(feed.topics["okr.goals.key-results"]!), { count: 1 });
    expect(dead[0]?.key).toBe(broken);
    expect(dead[0]?.headers[HEADER.deadLetter.error]).toMatch(/target equal to baseline/);
    expect((await get(`/scores/key-results/${broken}`, goals.tenant)).statusCode).toBe(404);
  });

  it("serves team and cycle scores, the heatmap and at-risk list, only to the owning tenant", async () => {
    const cycle = (await get(`/scores/cycles/${goals.cycleId}`, goals.tenant)).json();
    expect(cycle.organization.score).toBeGreaterThan(0);
    expect(cycle.teams).toEqual([expect.objectContaining({ teamId: team, objectiveCount: 1 })]);
    const teamScore = (await get(`/scores/teams/${team}?cycleId=${goals.cycleId}`, goals.tenant)).json();
    expect(teamScore).toMatchObject({ name: "Platform", score: cycle.organization.score });
    const heatmap = (await get(`/cycles/${goals.cycleId}/heatmap`, goals.tenant)).json();
    expect(heatmap.teams[0].cells).toEqual([
      expect.objectContaining({ objectiveId: objective, score: cycle.organization.score }),
    ]);
    // A third of the cycle has passed; the committed objective trails and has a low-confidence KR.
    const risky = (await get(`/cycles/${goals.cycleId}/at-risk`, goals.tenant)).json();
    expect(risky.items).toEqual([
      expect.objectContaining({ objectiveId: objective, reasons: ["low-confidence"] }),
    ]);

    const stranger = randomUUID();
    for (const url of [
      `/scores/key-results/${metric}`,
      `/scores/objectives/${objective}`,
      `/scores/objectives/${objective}/history`,
      `/scores/cycles/${goals.cycleId}`,
      `/cycles/${goals.cycleId}/heatmap`,
      `/cycles/${goals.cycleId}/at-risk`,
      `/scores/teams/${team}?cycleId=${goals.cycleId}`,
    ]) {
      const response = await get(url, stranger);
      expect(response.statusCode, url).toBe(404);
      expect(response.headers["content-type"]).toMatch(/problem\+json/);
    }
  });

  it("final grading freezes the report once, publishes okr.cycle.graded.v1 once, and repeats it verbatim", async () => {
    const post = (roles: ("admin" | "member" | "service")[], body: object = {}) =>
      finalGrading(goals, roles, body);
    expect((await post(["member"])).statusCode).toBe(403);
    expect((await post(["service"], { policyId: "no-such-policy" })).statusCode).toBe(404);
    expect((await post(["service"], { policy: "x" })).statusCode).toBe(400);

    // Until goals locked the cycle (SCORING), grading is refused: check-ins could still land after a freeze.
    const early = await post(["service"]);
    expect(early.statusCode).toBe(409);
    expect(early.headers["content-type"]).toMatch(/application\/problem\+json/);
    expect(early.json().type).toMatch(/\/cycle-not-in-scoring$/);
    expect((await post(["service"], { force: true })).statusCode).toBe(403); // only an admin overrides
    expect(await frozenReports(goals.cycleId)).toHaveLength(0);
    await feed.send([goals.cycle(new Date(start), new Date(start + 90 * day), "SCORING")]);
    await waitFor(
      "scoring to learn the cycle is in SCORING",
      async () => (await get(`/scores/cycles/${goals.cycleId}`, goals.tenant)).json().phase === "SCORING",
    );

    // While waiting for late check-ins the workflow asks for a complete grading only: an incomplete one
    // is answered provisionally, and nothing is frozen or announced yet.
    const provisional = await post(["service"], { onlyIfComplete: true });
    expect(provisional.statusCode).toBe(200);
    expect(provisional.json()).toMatchObject({ cycleId: goals.cycleId, complete: false, frozen: false });
    expect(await frozenReports(goals.cycleId)).toHaveLength(0);

    // At its deadline the workflow freezes whatever there is; it may call without a body at all.
    const first = await finalGrading(goals, ["service"]);
    expect(first.statusCode).toBe(200);
    const report = first.json();
    expect(report).toMatchObject({
      cycleId: goals.cycleId,
      policy: { id: "default", version: 1 },
      complete: false, // the "fine" KR never got a check-in
      frozen: true,
      forcedBy: null,
      checkInDiscipline: { keyResults: 3, withCheckIns: 2, checkInsTotal: 4 },
      teams: [{ teamId: team, score: report.organizationScore }],
    });
    expect(report.objectives).toHaveLength(1);
    expect(report.objectives[0]).toMatchObject({
      objectiveId: objective,
      kind: "committed",
      owner: { kind: "team", id: team },
      expectationMet: false,
    });
    expect(report.objectives[0].keyResults.map((kr: { keyResultId: string }) => kr.keyResultId)).toEqual(
      [metric, milestone, fine].sort(),
    );

    // Live scores move on; the frozen report does not.
    await feed.send([goals.checkIn(metric, objective, 110, new Date(start + 28 * day))]);
    await scoreWithCheckIns("the new check-in", goals, metric, 4);
    const second = await post(["admin"]);
    expect(second.statusCode).toBe(200);
    expect(second.json()).toEqual(report);
    const objectiveView = (await get(`/scores/objectives/${objective}`, goals.tenant)).json();
    expect(objectiveView.finalGrade).toMatchObject({ grade: report.objectives[0].grade });

    const event = await findMessage(SCORING_TOPICS.scores, (m) => {
      const body = JSON.parse(m.value?.toString() ?? "{}");
      return body.type === "okr.cycle.graded.v1" && body.data.cycleId === goals.cycleId;
    });
    const everything = await collectMessages(SCORING_TOPICS.scores, {
      count: Number.POSITIVE_INFINITY,
      // Every graded event of this test run (see testBus): a second one for the cycle would be here.
      timeoutMs: 5_000,
    });
    const gradedEvents = everything.filter(
      (m) => m.headers[HEADER.type] === "okr.cycle.graded.v1" && m.key === goals.cycleId,
    );
    expect(gradedEvents).toHaveLength(1);
    expect(JSON.parse(event.value!.toString()).data).toMatchObject({
      organizationScore: report.organizationScore,
      objectivesGraded: 1,
      policy: { id: "default", version: 1 },
    });
  });
});

describe("what a score says beside itself", () => {
  it("answers before the first check-in with explicit nulls, then names the policy, the last check-in and the pace", async () => {
    const now = Date.now();
    // Half the cycle has elapsed.
    const { goals, objective, setup } = tenantWithObjective(now - 30 * day, now + 30 * day);
    const keyResult = randomUUID();
    await feed.send([...setup, goals.keyResult(keyResult, objective, { baseline: 0, target: 100 })]);
    await waitFor("the key result", async () => (await keyResultScore(goals, keyResult)) !== undefined);
    const before = await keyResultScore(goals, keyResult);
    // Scored at its baseline (0) by the live policy, and plainly before any check-in.
    expect(before).toMatchObject({
      checkInCount: 0,
      lastCheckInAt: null,
      score: 0,
      scoredBy: { policy: "default", version: 1 },
    });
    expect(before.expectedProgress).toBeCloseTo(0.5, 2);
    expect(before.gapToExpected).toBeCloseTo(before.expectedProgress, 6);
    const objectiveBefore = (await get(`/scores/objectives/${objective}`, goals.tenant)).json();
    expect(objectiveBefore).toMatchObject({ checkInCount: 0, lastCheckInAt: null });
    // The objective's roll-up may or may not have run yet: scoredBy says which.
    expect(objectiveBefore.scoredBy).toEqual(
      objectiveBefore.score === null ? null : { policy: "default", version: 1 },
    );
    expect(objectiveBefore.expectedProgress).toBeCloseTo(0.5, 2);

    const recordedAt = new Date(now - 2 * day);
    await feed.send([goals.checkIn(keyResult, objective, 40, recordedAt)]);
    await scoreWithCheckIns("the check-in", goals, keyResult, 1);
    const after = await keyResultScore(goals, keyResult);
    expect(after).toMatchObject({
      score: 0.4,
      lastCheckInAt: recordedAt.toISOString(),
      scoredBy: { policy: "default", version: 1 },
    });
    expect(after.gapToExpected).toBeCloseTo(after.expectedProgress - 0.4, 6);
    expect(after.expectedProgress).toBeCloseTo(0.5, 2);
    const objectiveView = async () => (await get(`/scores/objectives/${objective}`, goals.tenant)).json();
    await waitFor("the objective's score", async () => (await objectiveView()).score === 0.4);
    const objectiveAfter = await objectiveView();
    expect(objectiveAfter).toMatchObject({
      score: 0.4,
      checkInCount: 1,
      lastCheckInAt: recordedAt.toISOString(),
      scoredBy: { policy: "default", version: 1 },
      policy: { id: "default", version: 1 }, // the older field stays as it was
    });
    expect(objectiveAfter.gapToExpected).toBeCloseTo(objectiveAfter.expectedProgress - 0.4, 6);
    // The objective is behind pace but not by more than the policy's gap: the at-risk list leaves it out,
    // and the pace is still on its score.
    const atRisk = (await get(`/cycles/${goals.cycleId}/at-risk`, goals.tenant)).json();
    expect(atRisk.items.map((item: { objectiveId: string }) => item.objectiveId)).not.toContain(objective);
  });
});

describe("forced final grading", () => {
  it("lets an admin grade a cycle before SCORING and records who did in the frozen report", async () => {
    const now = Date.now();
    const { goals, objective, setup } = tenantWithObjective(now - 10 * day, now + 80 * day);
    const keyResult = randomUUID();
    await feed.send([
      ...setup,
      goals.keyResult(keyResult, objective, { baseline: 0, target: 10 }),
      goals.checkIn(keyResult, objective, 5, new Date(now - day)),
    ]);
    await scoreWithCheckIns("the check-in", goals, keyResult, 1);
    // The workflow names the key results goals holds: one scoring has not seen yet keeps the grading
    // provisional, however complete it looks here, and nothing is frozen.
    const behindGoals = await finalGrading(goals, ["admin"], {
      force: true,
      onlyIfComplete: true,
      expectedKeyResultIds: [keyResult, randomUUID()],
    });
    expect(behindGoals.json()).toMatchObject({ complete: false, frozen: false });
    expect(await frozenReports(goals.cycleId)).toHaveLength(0);
    const forced = await finalGrading(goals, ["admin"], { force: true });
    expect(forced.statusCode).toBe(200);
    expect(forced.json()).toMatchObject({ frozen: true, complete: true, forcedBy: expect.any(String) });
    expect((await frozenReports(goals.cycleId)).map((report) => report.forcedBy)).toEqual([
      forced.json().forcedBy,
    ]);
  });
});

describe("partial policy updates", () => {
  it("PATCH changes only the fields sent, validated like PUT; a refused patch stores nothing", async () => {
    const tenant = randomUUID();
    const write = (method: "PATCH" | "PUT", url: string, payload: object, roles: Roles = ["admin"]) =>
      call(method, url, tenant, roles, payload);
    const choices = {
      bandRule: "current-inside",
      milestoneRule: "fraction",
      atRiskProgressGap: 0.2,
      atRiskConfidence: 0.5,
      confidenceTrendWindow: 3,
      rollup: { mode: "own-krs-only" },
    };
    // PUT still wants every field; PATCH of a policy that does not exist is a 404.
    expect((await write("PUT", "/policies/pace", { atRiskConfidence: 0.4 })).statusCode).toBe(400);
    expect((await write("PATCH", "/policies/pace", { atRiskConfidence: 0.4 })).statusCode).toBe(404);
    expect((await write("PUT", "/policies/pace", choices)).statusCode).toBe(201);

    const patched = await write("PATCH", "/policies/pace", { atRiskConfidence: 0.4 });
    expect(patched.statusCode).toBe(201);
    expect(patched.json()).toEqual({ ...choices, id: "pace", version: 2, atRiskConfidence: 0.4 });

    const refused = [
      await write("PATCH", "/policies/pace", { atRiskConfidence: 0.3 }, ["member"]),
      await write("PATCH", "/policies/pace", { milestoneRule: "most" }),
      await write("PATCH", "/policies/pace", { colour: "blue" }),
      await write("PATCH", "/policies/pace", { rollup: { mode: "own-krs-only", childShare: 0.5 } }),
    ];
    expect(refused.map((r) => r.statusCode)).toEqual([403, 400, 400, 400]);
    expect(refused.every((r) => /application\/problem\+json/.test(String(r.headers["content-type"])))).toBe(
      true,
    );
    const latest = (await get("/policies/pace", tenant)).json();
    expect(latest).toEqual({ ...choices, id: "pace", version: 2, atRiskConfidence: 0.4 });

    // The live policy exists before any write (the built-in default): a patch makes its version 2.
    const live = await write("PATCH", "/policies/default", { atRiskProgressGap: 0.3 });
    expect(live.json()).toMatchObject({
      id: "default",
      version: 2,
      atRiskProgressGap: 0.3,
      bandRule: "current-inside",
    });
  });
});

describe("named, versioned policies", () => {
  it("stores each write as the next version and grades a cycle under the policy it names", async () => {
    const now = Date.now();
    const { goals, objective, setup } = tenantWithObjective(now - 80 * day, now - day, "SCORING");
    const keyResult = randomUUID();
    await feed.send([
      ...setup,
      goals.keyResult(keyResult, objective, {
        type: "milestone",
        baseline: null,
        target: null,
        milestones: ["a", "b", "c", "d"],
      }),
      goals.checkIn(keyResult, objective, 3, new Date(now - 2 * day), { milestonesDone: 3 }),
    ]);
    await scoreWithCheckIns("the milestone check-in", goals, keyResult, 1);

    const put = (roles: Roles, body: object) => call("PUT", "/policies/strict", goals.tenant, roles, body);
    const choices = {
      bandRule: "current-inside",
      milestoneRule: "all-or-nothing",
      atRiskProgressGap: 0.2,
      atRiskConfidence: 0.5,
      confidenceTrendWindow: 3,
      rollup: { mode: "own-krs-only" },
    };
    expect((await put(["member"], choices)).statusCode).toBe(403);
    expect((await put(["admin"], { ...choices, milestoneRule: "most" })).statusCode).toBe(400);
    expect((await put(["admin"], { ...choices, atRiskConfidence: 0.6 })).json()).toMatchObject({
      id: "strict",
      version: 1,
    });
    expect((await put(["admin"], choices)).json()).toMatchObject({ id: "strict", version: 2 });
    expect((await get("/policies/strict", goals.tenant)).json()).toMatchObject({
      version: 2,
      atRiskConfidence: 0.5,
    });
    expect((await get("/policies/strict", randomUUID())).statusCode).toBe(404);

    const graded = await finalGrading(goals, ["admin"], { policyId: "strict" });
    // Live (default policy, fraction): 3 of 4 milestones = 0.75. Strict (all-or-nothing): 0.
    expect((await get(`/scores/objectives/${objective}`, goals.tenant)).json().score).toBe(0.75);
    expect(graded.json()).toMatchObject({
      policy: { id: "strict", version: 2 },
      organizationScore: 0,
      complete: true,
      objectives: [{ objectiveId: objective, score: 0, grade: 0, band: "red", expectationMet: false }],
    });

    // Writing the live policy ("default") moves every live score to it at once; the history says so.
    const live = await call("PUT", "/policies/default", goals.tenant, ["service"], choices);
    expect(live.json()).toMatchObject({ id: "default", version: 2 });
    const rescored = (await get(`/scores/objectives/${objective}`, goals.tenant)).json();
    expect(rescored).toMatchObject({ score: 0, policy: { id: "default", version: 2 } });
    const history = (await get(`/scores/objectives/${objective}/history`, goals.tenant)).json().items;
    expect(history.at(-1)).toMatchObject({ score: 0, policy: { id: "default", version: 2 } });
    expect(history.at(-2)).toMatchObject({ score: 0.75, policy: { id: "default", version: 1 } });
  });
});
