import { setTimeout as sleep } from "node:timers/promises";
import { waitFor } from "@okr/endpoints";
import { ApplicationFailure } from "@temporalio/common";
import { describe, expect, it } from "vitest";
import {
  adminCycleUpdate,
  CycleNotRunningError,
  type CycleResult,
  getCycleStatus,
  PHASES,
  type RunCycleRequest,
  teamObjectivesUpdate,
  workflowIds,
} from "../src/index.ts";
import {
  type Harness,
  harnessForTests,
  newWorld,
  Record,
  rejectionOf,
  startWorld,
  team,
  topLevelDraftingOpen,
  type World,
  worldActivities,
} from "./harness.ts";

/**
 * Starts the world's one cycle (`request`: its durations, limits), whose single top-level team then
 * submits and its leader approves, so SETTING ends at once.
 */
async function startPastSetting(h: Harness, world: World, request: Omit<RunCycleRequest, "cycleId">) {
  await h.startOneCycle(world, request);
  const [root] = world.teams;
  if (!root) throw new Error("no team");
  const ids = { organizationId: world.organizationId, cycleId: world.cycleId, teamId: root.id };
  await topLevelDraftingOpen(h.client, world);
  await teamObjectivesUpdate(h.client, ids, "submit", {
    actorId: root.leaderIds[0] as string,
    objectiveIds: ["o"],
  });
  await teamObjectivesUpdate(h.client, ids, "approve", { actorId: root.leaderIds[0] as string });
}

describe("operating cycles on the real Temporal server", () => {
  const h = harnessForTests();

  it("completes a cycle with nothing lost or duplicated when the worker is killed mid-cycle and restarted", async () => {
    const world = newWorld([team("Company", null)], { incompleteGradings: 0 });
    const record = new Record();
    const activities = worldActivities(world, record);
    const first = await h.startWorker(activities);
    await startPastSetting(h, world, {
      durations: {
        checkInsSeconds: 5,
        checkInIntervalSeconds: 1,
        scoringSeconds: 5,
        retrospectiveSeconds: 5,
      },
    });
    await waitFor("the first check-in tick", () => record.checkInTicks.length >= 1, 20_000);

    // The worker goes away mid-CHECK_INS; ticks fall due while nobody polls the task queue.
    await first.stop();
    const ticksWhileRunning = record.checkInTicks.length;
    await sleep(2_500);
    expect(record.checkInTicks.length).toBe(ticksWhileRunning);

    await h.startWorker(activities);
    const result = (await h.client.workflow
      .getHandle(workflowIds.cycle(world.organizationId, world.cycleId))
      .result()) as CycleResult;

    expect(result.status.phase).toBe("CLOSED");
    expect(record.phases).toEqual([...PHASES]);
    // Every tick ran exactly once, each for its own due time, with the missed ones caught up.
    expect(result.status.checkIns).toMatchObject({ due: 5, ticks: 5, midCycleReviewed: true });
    const dueTimes = record.checkInTicks.map((tick) => tick.dueAt);
    expect(new Set(dueTimes).size).toBe(5);
    expect(dueTimes).toHaveLength(5);
    expect(record.remindersWhere((r) => r.action === "check-in")).toHaveLength(
      5 * world.missingOwners.length,
    );
    expect(record.proposals).toHaveLength(1);
    expect(result.report.nextCycleId).toBe(record.proposals[0]?.nextCycleId);
    await h.client.workflow.getHandle(workflowIds.program(world.organizationId)).terminate("test done");
  }, 90_000);

  it("pauses, resumes, extends and advances through admin updates, rejecting invalid ones with reasons", async () => {
    const { world, record } = await startWorld(h, [team("Company", null)], { incompleteGradings: 1_000 });
    const { organizationId, cycleId } = world;
    const admin = { actorId: "admin-1" };
    await startPastSetting(h, world, {
      durations: {
        checkInsSeconds: 2,
        checkInIntervalSeconds: 1,
        scoringSeconds: 600,
        scoringPollSeconds: 0.2,
      },
    });
    await waitFor(
      "CHECK_INS",
      async () => (await getCycleStatus(h.client, organizationId, cycleId)).phase === "CHECK_INS",
    );

    expect(
      (await rejectionOf(adminCycleUpdate(h.client, organizationId, cycleId, "resume", admin))).type,
    ).toBe("InvalidState");
    const paused = await adminCycleUpdate(h.client, organizationId, cycleId, "pause", {
      ...admin,
      reason: "offsite",
    });
    expect(paused).toMatchObject({ paused: true, pausedReason: "offsite" });
    expect(
      (await rejectionOf(adminCycleUpdate(h.client, organizationId, cycleId, "pause", admin))).message,
    ).toContain("already paused");
    // Paused past the phase's end: nothing moves.
    await sleep(3_000);
    const whilePaused = await getCycleStatus(h.client, organizationId, cycleId);
    expect(whilePaused.phase).toBe("CHECK_INS");
    const deadlineBefore = Date.parse(whilePaused.deadline as string);
    const resumed = await adminCycleUpdate(h.client, organizationId, cycleId, "resume", admin);
    expect(resumed.paused).toBe(false);
    // Resuming moved the deadline on by the paused time.
    expect(Date.parse(resumed.deadline as string)).toBeGreaterThan(deadlineBefore + 2_500);

    const badExtension = await rejectionOf(
      adminCycleUpdate(h.client, organizationId, cycleId, "extend-deadline", { ...admin, seconds: -5 }),
    );
    expect(badExtension.type).toBe("InvalidInput");
    const extended = await adminCycleUpdate(h.client, organizationId, cycleId, "extend-deadline", {
      ...admin,
      seconds: 3_600,
    });
    expect(Date.parse(extended.deadline as string)).toBeGreaterThan(
      Date.parse(resumed.deadline as string) + 3_500_000,
    );

    const stale = await rejectionOf(
      adminCycleUpdate(h.client, organizationId, cycleId, "advance", { ...admin, from: "SETTING" }),
    );
    expect(stale).toMatchObject({ type: "WrongPhase", message: "the cycle is in CHECK_INS, not SETTING" });
    await adminCycleUpdate(h.client, organizationId, cycleId, "advance", { ...admin, from: "CHECK_INS" });
    // SCORING would wait 10 minutes for complete grades; an admin moves on.
    await waitFor(
      "SCORING",
      async () => (await getCycleStatus(h.client, organizationId, cycleId)).phase === "SCORING",
    );
    await waitFor("a few grading attempts", () => record.gradingCalls >= 2);
    await adminCycleUpdate(h.client, organizationId, cycleId, "advance", { ...admin, from: "SCORING" });

    const result = (await h.client.workflow
      .getHandle(workflowIds.cycle(organizationId, cycleId))
      .result()) as CycleResult;
    // Every attempt waited for complete grades; moving on froze the incomplete grading once.
    expect(record.gradingOnlyIfComplete.slice(0, -1).every(Boolean)).toBe(true);
    expect(record.gradingOnlyIfComplete.at(-1)).toBe(false);
    expect(result.status.scoring.complete).toBe(false);
    expect(result.status.phaseLog.map((change) => `${change.phase}:${change.reason}`)).toEqual([
      "SETTING:start",
      "SETTING:complete",
      "CASCADE:start",
      "CASCADE:complete",
      "CHECK_INS:start",
      "CHECK_INS:admin",
      "SCORING:start",
      "SCORING:admin",
      "RETROSPECTIVE:start",
      "RETROSPECTIVE:complete",
      "CLOSED:start",
    ]);
    expect(result.report.gradesComplete).toBe(false);
    // A closed cycle no longer takes updates (its workflow has completed).
    await expect(adminCycleUpdate(h.client, organizationId, cycleId, "pause", admin)).rejects.toBeInstanceOf(
      CycleNotRunningError,
    );
    await h.client.workflow.getHandle(workflowIds.program(organizationId)).terminate("test done");
  }, 90_000);

  it("says why advance cannot skip a failed step, and answers a resume with what its one retry did", async () => {
    const world = newWorld([team("Company", null)], { incompleteGradings: 0 });
    const record = new Record();
    const activities = worldActivities(world, record);
    // Goals refuses the proposal twice (a 4xx: not retried), then takes it.
    let refusals = 2;
    let proposalCalls = 0;
    await h.startWorker({
      ...activities,
      async proposeNextCycle(input) {
        proposalCalls++;
        if (refusals-- > 0)
          throw ApplicationFailure.nonRetryable(
            "POST /cycles answered 422: the cycle overlaps",
            "BadRequest",
          );
        return activities.proposeNextCycle(input);
      },
    });
    const { organizationId, cycleId } = world;
    const admin = { actorId: "admin-1" };
    await startPastSetting(h, world, {
      durations: {
        checkInsSeconds: 0.5,
        checkInIntervalSeconds: 1,
        scoringSeconds: 1,
        retrospectiveSeconds: 5,
      },
    });
    const stuck = await waitFor("the cycle to pause on the failed proposal", async () => {
      const status = await getCycleStatus(h.client, organizationId, cycleId);
      return status.paused ? status : undefined;
    });
    expect(stuck).toMatchObject({
      phase: "RETROSPECTIVE",
      pausedReason: expect.stringContaining("proposing the next cycle failed"),
      failedStep: { step: "proposing the next cycle", cause: expect.stringContaining("422"), attempts: 1 },
    });
    expect(stuck.lastRetry).toBeUndefined();

    // Advance cannot skip the step, and says so.
    const advance = await rejectionOf(
      adminCycleUpdate(h.client, organizationId, cycleId, "advance", { ...admin, from: "RETROSPECTIVE" }),
    );
    expect(advance.type).toBe("InvalidState");
    expect(advance.message).toContain("proposing the next cycle failed");
    expect(advance.message).toContain("resume to retry it");

    // Resume retries once and answers with the outcome: failed again, so paused again.
    const failedAgain = await adminCycleUpdate(h.client, organizationId, cycleId, "resume", admin);
    expect(proposalCalls).toBe(2);
    expect(failedAgain).toMatchObject({
      phase: "RETROSPECTIVE",
      paused: true,
      failedStep: { step: "proposing the next cycle", attempts: 2 },
      lastRetry: {
        step: "proposing the next cycle",
        outcome: "failed",
        cause: expect.stringContaining("422"),
      },
    });
    const succeeded = await adminCycleUpdate(h.client, organizationId, cycleId, "resume", admin);
    expect(proposalCalls).toBe(3);
    expect(succeeded).toMatchObject({
      paused: false,
      lastRetry: { step: "proposing the next cycle", outcome: "succeeded" },
    });
    expect(succeeded.failedStep).toBeUndefined();

    const result = (await h.client.workflow
      .getHandle(workflowIds.cycle(organizationId, cycleId))
      .result()) as CycleResult;
    expect(result.status.phase).toBe("CLOSED");
    expect(record.proposals).toHaveLength(1);
    expect(result.report.nextCycleId).toBe(record.proposals[0]?.nextCycleId);
    // Nothing was skipped: every phase ran, in order.
    expect(record.phases).toEqual([...PHASES]);
    await h.client.workflow.getHandle(workflowIds.program(organizationId)).terminate("test done");
  }, 90_000);

  it("continues a large cascade as new in bounded windows and completes it", async () => {
    const root = team("Company", null);
    const layer = Array.from({ length: 6 }, (_, i) => team(`Tribe ${i}`, root));
    const leaves = layer.flatMap((parent, i) => [team(`Squad ${i}a`, parent), team(`Squad ${i}b`, parent)]);
    const { world, record } = await startWorld(h, [root, ...layer, ...leaves], { incompleteGradings: 0 });
    const { organizationId, cycleId } = world;
    await startPastSetting(h, world, {
      // Nobody drafts below the top: every team misses its 1 s deadline, so the cascade runs on timers.
      durations: {
        teamDraftingSeconds: 0.5,
        reminderLeadSeconds: 0,
        escalationGraceSeconds: 0.2,
        checkInsSeconds: 0.5,
        checkInIntervalSeconds: 1,
        scoringSeconds: 1,
        retrospectiveSeconds: 1,
      },
      limits: { maxConcurrentTeams: 4, historyEventBudget: 60 },
    });
    const result = (await h.client.workflow
      .getHandle(workflowIds.cycle(organizationId, cycleId))
      .result()) as CycleResult;
    expect(result.status.teams).toMatchObject({ total: 19, approved: 1, missed: 18, open: 0, waiting: 0 });
    expect(result.status.runs).toBeGreaterThan(1);
    expect(record.phases).toEqual([...PHASES]);
    // Every team that missed got exactly one escalation to its parent's leader.
    const escalations = record.remindersWhere((r) => r.escalation);
    expect(escalations).toHaveLength(18);
    await h.client.workflow.getHandle(workflowIds.program(organizationId)).terminate("test done");
  }, 90_000);
});
