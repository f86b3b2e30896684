import { randomUUID } from "node:crypto";
import type { KeyResultView, ObjectiveView } from "@okr/cycle-worker/src/carry-forward.ts";
import { type CycleResult, PHASES, type PhaseDurations, workflowIds } from "@okr/cycle-workflows";
import { goalsService } from "@okr/goals-service/service";
import { scoringService } from "@okr/scoring-service/service";
import { startTestService, type TestService, uniqueName, waitFor } from "@okr/testkit";
import { valueStreamService } from "@okr/value-stream-service/service";
import type { Client } from "@temporalio/client";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  bindToFlowEfficiency,
  currentCycle,
  leaderPerson,
  mortgageApprovalStream,
  tenantCaller,
  warningOrganization,
  writeRetrospective,
} from "./support/api.ts";
import { type CycleWorker, startCycleWorker } from "./support/cycle-worker.ts";

/**
 * Carrying key results into the next cycle on the real stack: the cycle workflow on the Temporal dev
 * server with the cycle worker's real activities, the goals, scoring and value-stream services on their
 * own databases, events over Kafka. A cycle runs SETTING to CLOSED and the next one must hold what was
 * carried, whole; what goals refuses must not stop the cycle.
 */
const QUARTER: PhaseDurations = {
  // Generous where a slow machine must act in time (SETTING and RETROSPECTIVE end early once done).
  settingSeconds: 60,
  teamDraftingSeconds: 4,
  reminderLeadSeconds: 2,
  escalationGraceSeconds: 1,
  checkInsSeconds: 3,
  checkInIntervalSeconds: 3,
  scoringSeconds: 3,
  scoringPollSeconds: 1,
  retrospectiveSeconds: 60,
  retrospectivePollSeconds: 1,
};

let goals: TestService<unknown>;
let scoring: TestService<unknown>;
let valueStream: TestService<unknown>;
let client: Client;
let cycleWorker: CycleWorker | undefined;
const taskQueue = uniqueName("okr-cycles-carry");

beforeAll(async () => {
  [goals, scoring, valueStream] = await Promise.all([
    startTestService(goalsService),
    startTestService(scoringService),
    startTestService(valueStreamService),
  ]);
  cycleWorker = await startCycleWorker({ goals, scoring, taskQueue });
  client = cycleWorker.client;
});

afterAll(async () => {
  await cycleWorker?.stop();
  await Promise.all([goals?.stop(), scoring?.stop(), valueStream?.stop()]);
});

/** A key result as goals' API shows it: what the cycle worker reads to carry it, and what a carry sets. */
type KeyResult = KeyResultView & {
  carriedFromKeyResultId: string | null;
  milestonesDone: number | null;
  lastCheckInAt: string | null;
};

type Objective = Omit<ObjectiveView, "keyResults"> & {
  description: string;
  state: string;
  keyResults: KeyResult[];
};

/** One organization per test: its own program workflow, cycles and people. */
function organization() {
  const tenantId = randomUUID();
  const adminId = randomUUID();
  const call = tenantCaller(tenantId, adminId);
  const goalsCall = (method: "GET" | "POST" | "PUT", url: string, payload?: object) =>
    call(goals, method, url, payload);

  /** A company of one team led by Ada, a cycle, and the cycle's run started on this test's worker. */
  async function setUp(name: string) {
    await warningOrganization(call, goals, name, {
      objectives: { min: 1, max: 5 },
      keyResults: { min: 1, max: 10 },
    });
    const [ceo, grace] = await Promise.all([
      leaderPerson(call, goals, "Ada"),
      leaderPerson(call, goals, "Grace"),
    ]);
    const company = await goalsCall("POST", "/teams", { name: "Company", leaderIds: [ceo.id] });
    const cycle = await currentCycle(call, goals, "Q4 2026 carry");
    return { ceo, grace, company, cycleId: cycle.id as string };
  }

  /**
   * Runs the cycle: the team submits and approves `objectiveIds`, records `checkIns` (before SCORING locks
   * the cycle, however slow the machine) and writes its retrospective carrying `carryForwardKeyResultIds`.
   */
  async function runCycle(
    world: Awaited<ReturnType<typeof setUp>>,
    objectiveIds: string[],
    checkIns: () => Promise<void>,
    carryForwardKeyResultIds: string[],
  ): Promise<CycleResult> {
    const { cycleId, company, ceo } = world;
    // Scoring learns the key results from goals' events; grading a cycle it has not heard of is a 404.
    const keyResultIds = carryForwardKeyResultIds;
    await waitFor(
      "scoring to know the key results",
      async () => {
        for (const id of keyResultIds) await call(scoring, "GET", `/scores/key-results/${id}`);
        return true;
      },
      120_000,
    );
    const run = await cycleWorker!.startRun(tenantId, {
      cycleId,
      durations: QUARTER,
      continueWithNextCycle: false,
    });
    const { status } = run;
    await waitFor("Company's drafting to open", async () => (await status()).teams.open === 1, 60_000);
    const leader = { roles: ["leader" as const], subject: ceo.id };
    await call(goals, "POST", `/cycles/${cycleId}/teams/${company.id}/submit`, { objectiveIds }, leader);
    await call(goals, "POST", `/cycles/${cycleId}/teams/${company.id}/approve`, {}, leader);
    await checkIns();
    await waitFor("RETROSPECTIVE", async () => (await status()).phase === "RETROSPECTIVE", 120_000);
    await writeRetrospective(call, goals, cycleId, ceo.id, {
      teamId: company.id,
      wentWell: "deliveries",
      didNotGoWell: "availability",
      lessons: "Carry what is unfinished, whole",
      carryForwardKeyResultIds,
    });
    const result = await run.result();
    await client.workflow.getHandle(workflowIds.program(tenantId)).terminate("test done");
    return result;
  }

  return { tenantId, call, goalsCall, setUp, runCycle };
}

/** A key result's definition: what must arrive intact in the next cycle. */
const definitionOf = (kr: KeyResult) => ({
  title: kr.title,
  type: kr.type,
  baseline: kr.baseline,
  target: kr.target,
  bandLow: kr.bandLow,
  bandHigh: kr.bandHigh,
  milestones: kr.milestones,
  unit: kr.unit,
  weight: kr.weight,
  owner: kr.owner,
  evidence: kr.evidence,
});

describe("carrying key results into the next cycle", () => {
  it("carries every KR type, met and missed, whole into the next cycle, and its value-stream binding follows", async () => {
    const org = organization();
    const { goalsCall, call } = org;
    const world = await org.setUp("Carry E2E");
    const { cycleId, company, grace } = world;
    const objective = (await goalsCall("POST", "/objectives", {
      cycleId,
      title: "Decide mortgages within a day",
      kind: "aspirational",
      owner: { kind: "team", id: company.id },
      weight: 2,
      keyResults: [
        {
          title: "Raise flow efficiency",
          type: "increase-to",
          baseline: 0.05,
          target: 0.9,
          unit: "ratio",
          weight: 3,
          evidence: { kind: "system", description: "the value stream's flow efficiency" },
        },
        {
          title: "Cut lead time",
          type: "decrease-to",
          baseline: 20,
          target: 5,
          unit: "days",
          weight: 2,
          evidence: { kind: "url", description: "the lead-time dashboard" },
        },
        {
          title: "Keep availability up",
          type: "stay-above",
          target: 99.5,
          unit: "%",
          weight: 1.5,
          owner: { kind: "person", id: grace.id },
          evidence: { kind: "url", description: "the uptime report" },
        },
        { title: "Keep incidents down", type: "stay-below", target: 3, unit: "incidents", weight: 0.5 },
        {
          title: "Hold WIP in its band",
          type: "stay-between",
          bandLow: 2,
          bandHigh: 4,
          unit: "items",
          evidence: { kind: "any", description: "the board" },
        },
        {
          title: "Replace the scoring engine",
          type: "milestone",
          milestones: ["pilot", "rollout", "retire the old engine"],
          weight: 2,
          evidence: { kind: "url", description: "the release notes" },
        },
      ],
    })) as Objective;
    const [flow, lead, availability, incidents, wip, engine] = objective.keyResults as [
      KeyResult,
      KeyResult,
      KeyResult,
      KeyResult,
      KeyResult,
      KeyResult,
    ];

    // Flow efficiency is measured by a value stream: the binding's value arrives as a system check-in.
    const stream = await mortgageApprovalStream(call, valueStream);
    const binding = await bindToFlowEfficiency(call, valueStream, stream.id, flow.id);
    const measured = await waitFor(
      "the bound KR's system check-in",
      async () => {
        const kr = (await goalsCall("GET", `/key-results/${flow.id}`)) as KeyResult;
        return kr.latestValue ?? undefined;
      },
      90_000,
    );
    expect(measured).toBeLessThan(0.9);

    const checkIn = (kr: KeyResult, value: number, extra: object = {}) =>
      goalsCall("POST", `/key-results/${kr.id}/check-ins`, {
        value,
        confidence: 0.6,
        note: "end of quarter",
        evidence: { url: "https://example.com/report" },
        ...extra,
      });
    const result = await org.runCycle(
      world,
      [objective.id],
      async () => {
        await checkIn(lead, 12); // missed: 12 days, not 5
        await checkIn(availability, 98.7); // missed: under the line
        await checkIn(incidents, 1); // met
        await checkIn(wip, 3); // met
        await checkIn(engine, 1, { milestonesDone: 1 }); // missed: 1 of 3 milestones
      },
      // The team carries everything, the met key results too.
      objective.keyResults.map((kr) => kr.id),
    );

    // The cycle closed and proposed the next one with the objective; nothing was refused.
    expect(result.status.phase).toBe("CLOSED");
    expect(result.status.phaseLog.filter((c) => c.reason === "start").map((c) => c.phase)).toEqual([
      ...PHASES,
    ]);
    expect(result.report).toMatchObject({ draftsProposed: 1, carryForwardRefused: [] });
    const ended = (await goalsCall("GET", `/objectives/${objective.id}`)) as Objective;
    const drafts = (await goalsCall("GET", `/objectives?cycleId=${result.report.nextCycleId}`))
      .items as Objective[];
    expect(drafts).toHaveLength(1);
    const [draft] = drafts as [Objective];
    expect(draft).toMatchObject({
      state: "draft",
      title: objective.title,
      kind: "aspirational",
      weight: 2,
      owner: { kind: "team", id: company.id },
    });
    expect(draft.keyResults).toHaveLength(6);

    // Field by field: each carried KR is its predecessor's definition, from where it ended.
    const carriedFrom = (kr: KeyResult) => {
      const next = draft.keyResults.find((candidate) => candidate.carriedFromKeyResultId === kr.id);
      if (!next) throw new Error(`${kr.title} was not carried`);
      return next;
    };
    const endOf = (kr: KeyResult) =>
      ended.keyResults.find((candidate) => candidate.id === kr.id) as KeyResult;
    expect(definitionOf(carriedFrom(flow))).toEqual({ ...definitionOf(endOf(flow)), baseline: measured });
    expect(definitionOf(carriedFrom(lead))).toEqual({ ...definitionOf(endOf(lead)), baseline: 12 });
    expect(definitionOf(carriedFrom(availability))).toEqual({
      ...definitionOf(endOf(availability)),
      baseline: 98.7,
    });
    expect(carriedFrom(availability).owner).toEqual({ kind: "person", id: grace.id });
    expect(definitionOf(carriedFrom(incidents))).toEqual({ ...definitionOf(endOf(incidents)), baseline: 1 });
    expect(definitionOf(carriedFrom(wip))).toEqual({ ...definitionOf(endOf(wip)), baseline: 3 });
    expect(carriedFrom(wip)).toMatchObject({ bandLow: 2, bandHigh: 4 });
    // The milestones keep their names and start again not done.
    expect(definitionOf(carriedFrom(engine))).toEqual(definitionOf(endOf(engine)));
    expect(carriedFrom(engine)).toMatchObject({
      milestones: ["pilot", "rollout", "retire the old engine"],
      milestonesDone: null,
      lastCheckInAt: null,
    });
    // ...and the old cycle's KRs are as they were.
    expect(endOf(engine)).toMatchObject({ milestonesDone: 1, carriedFromKeyResultId: null });
    expect(endOf(lead)).toMatchObject({ baseline: 20, latestValue: 12 });

    // The binding followed the flow-efficiency KR to the next cycle (value-stream learnt it from goals'
    // event), and it is still the one binding of the stream.
    const bindings = await waitFor(
      "the binding to follow the carried KR",
      async () => {
        const { items: found } = (await call(valueStream, "GET", `/streams/${stream.id}/bindings`)) as {
          items: { id: string; keyResultId: string }[];
        };
        return found[0]?.keyResultId === carriedFrom(flow).id ? found : undefined;
      },
      90_000,
    );
    expect(bindings).toEqual([
      expect.objectContaining({
        id: binding.id,
        keyResultId: carriedFrom(flow).id,
        metric: "flow-efficiency",
        direction: "increase",
      }),
    ]);
  }, 300_000);

  it("does not stop the cycle when goals refuses a carried key result: the draft lands without it, with the reason", async () => {
    const org = organization();
    const { goalsCall } = org;
    const world = await org.setUp("Refusal E2E");
    const { cycleId, company } = world;
    const objective = (await goalsCall("POST", "/objectives", {
      cycleId,
      title: "Retire the legacy platform",
      kind: "aspirational",
      owner: { kind: "team", id: company.id },
      keyResults: [
        { title: "Move customers", type: "increase-to", baseline: 0, target: 100, unit: "%" },
        { title: "Switch off the mainframe", type: "milestone", milestones: ["plan", "switch off"] },
      ],
    })) as Objective;
    const [customers, mainframe] = objective.keyResults as [KeyResult, KeyResult];
    // A definition stored before milestones were required (the rule the goals API enforces today).
    await (goals.runtime as { pool: pg.Pool }).pool.query(
      "update key_results set milestones = '{}' where id = $1",
      [mainframe.id],
    );

    const result = await org.runCycle(
      world,
      [objective.id],
      async () => {
        await goalsCall("POST", `/key-results/${customers.id}/check-ins`, {
          value: 40,
          confidence: 0.5,
          evidence: { url: "https://example.com/migration" },
        });
      },
      // The team carries both: the refused one must not stop the other.
      [customers.id, mainframe.id],
    );

    // The cycle reached CLOSED, and its report names what goals refused and why.
    expect(result.status.phase).toBe("CLOSED");
    expect(result.status.paused).toBe(false);
    const reason = "a milestone key result needs a list of named, verifiable milestones";
    const drafts = (await goalsCall("GET", `/objectives?cycleId=${result.report.nextCycleId}`))
      .items as Objective[];
    expect(drafts).toHaveLength(1);
    const [draft] = drafts as [Objective];
    expect(result.report.draftsProposed).toBe(1);
    expect(result.report.carryForwardRefused).toEqual([
      {
        objectiveId: objective.id,
        title: objective.title,
        draftObjectiveId: draft.id,
        keyResultsLeftOut: [{ title: "Switch off the mainframe", reason: expect.stringContaining(reason) }],
      },
    ]);
    // The draft holds what goals accepted, and tells its team what it refused.
    expect(draft).toMatchObject({ state: "draft", title: objective.title });
    expect(draft.keyResults.map((kr) => [kr.carriedFromKeyResultId, kr.baseline, kr.target])).toEqual([
      [customers.id, 40, 100],
    ]);
    expect(draft.description).toContain("Switch off the mainframe");
    expect(draft.description).toContain(reason);
    // The refused KR is untouched in the closed cycle.
    expect(
      ((await goalsCall("GET", `/objectives/${objective.id}`)) as Objective).keyResults.map((kr) => kr.id),
    ).toEqual([customers.id, mainframe.id]);
  }, 300_000);
});
