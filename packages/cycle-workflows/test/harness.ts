import { randomUUID } from "node:crypto";
import { testEndpoints, uniqueName, waitFor } from "@okr/endpoints";
import {
  bundleWorkflowsQuietly,
  connectTemporalClient,
  installTemporalRuntime,
  type RunningWorker,
  startWorker,
} from "@okr/temporal";
import type { Client } from "@temporalio/client";
import type { WorkflowBundleWithSourceMap } from "@temporalio/worker";
import { afterEach, beforeAll, expect } from "vitest";
import type {
  CycleActivities,
  CycleCalendar,
  GradingSummary,
  ReminderRequest,
  RetrospectiveSummary,
  RunCycleRequest,
  TeamRef,
} from "../src/index.ts";
import { getCycleStatus, startCycleRun, UpdateRejectedError, WORKFLOWS_PATH } from "../src/index.ts";

/**
 * The workflows under test run on the real Temporal dev server; their activities are plain functions
 * over this in-test world and record every call, so each phase's effects can be asserted.
 */
export interface World {
  organizationId: string;
  cycleId: string;
  teams: TeamRef[];
  /** Owners reported as missing a check-in at each tick. */
  missingOwners: string[];
  /** Objectives the scoring service reports behind pace (every tick). */
  atRisk: string[];
  /** How many final-grading calls answer "incomplete" before the complete answer. */
  incompleteGradings: number;
  retrospectives: RetrospectiveSummary;
  grading: GradingSummary;
}

export interface PublishedReminder extends ReminderRequest {
  workflowId: string;
}

export class Record {
  phases: string[] = [];
  /** Keyed by (workflow id, reminder key): what an idempotent consumer would keep. */
  reminders = new Map<string, PublishedReminder>();
  reminderCalls = 0;
  checkInTicks: { since: string; dueAt: string }[] = [];
  atRiskAlerted: string[] = [];
  approvals: { objectiveIds: string[]; actorId: string }[] = [];
  /** Per grading call: whether it asked to freeze only a complete grading (false: freeze what there is). */
  gradingOnlyIfComplete: boolean[] = [];
  get gradingCalls(): number {
    return this.gradingOnlyIfComplete.length;
  }
  retrospectiveCalls = 0;
  proposals: { carryForwardKeyResultIds: string[]; nextCycleId: string }[] = [];

  remindersWhere(predicate: (reminder: PublishedReminder) => boolean): PublishedReminder[] {
    return [...this.reminders.values()].filter(predicate);
  }
}

export function team(name: string, parent: TeamRef | null, leaderIds = [randomUUID()]): TeamRef {
  return { id: randomUUID(), name, parentTeamId: parent?.id ?? null, leaderIds };
}

export function newWorld(teams: TeamRef[], overrides: Partial<World> = {}): World {
  const committed = randomUUID();
  const aspirational = randomUUID();
  return {
    organizationId: randomUUID(),
    cycleId: randomUUID(),
    teams,
    missingOwners: [randomUUID(), randomUUID()],
    atRisk: [aspirational],
    incompleteGradings: 1,
    retrospectives: {
      teamIds: teams.map((t) => t.id),
      lessons: ["Smaller key results get more check-ins"],
      carryForwardKeyResultIds: ["kr-chosen-by-team"],
    },
    grading: {
      complete: true,
      organizationScore: 0.64,
      objectives: [
        { objectiveId: committed, kind: "committed", score: 0.8, expectationMet: false },
        { objectiveId: aspirational, kind: "aspirational", score: 0.72, expectationMet: true },
      ],
      unfinishedKeyResultIds: ["kr-unfinished"],
      checkInDiscipline: { keyResults: 4, withCheckIns: 3, checkInsTotal: 9 },
    },
    ...overrides,
  };
}

export function worldActivities(world: World, record: Record): CycleActivities {
  const publish = (workflowId: string, reminders: ReminderRequest[]) => {
    record.reminderCalls++;
    for (const reminder of reminders)
      record.reminders.set(`${workflowId}|${reminder.key}`, { ...reminder, workflowId });
    return reminders.length;
  };
  return {
    async loadCycle({ cycleId }): Promise<CycleCalendar> {
      return {
        id: cycleId,
        name: "Q1 test quarter",
        startsAt: new Date().toISOString(),
        endsAt: new Date(Date.now() + 90 * 86_400_000).toISOString(),
        timeZone: "Europe/Berlin",
        checkInCadence: { weekday: 1, hour: 10, everyDays: 7 },
        mission: "Make every team's work visible",
      };
    },
    async listTeams({ cursor }) {
      // Two pages, to exercise paging.
      const start = cursor ? Number(cursor) : 0;
      const pageSize = Math.max(1, Math.ceil(world.teams.length / 2));
      const items = world.teams.slice(start, start + pageSize);
      const next = start + pageSize;
      return { items, nextCursor: next < world.teams.length ? String(next) : null };
    },
    async setPhase({ phase }) {
      if (record.phases.at(-1) !== phase) record.phases.push(phase);
    },
    async planCheckIns() {
      return [];
    },
    async publishReminders({ workflowId, reminders }) {
      return publish(workflowId, reminders);
    },
    async remindMissingCheckIns({ workflowId, since, dueAt }) {
      record.checkInTicks.push({ since, dueAt });
      const reminded = publish(
        workflowId,
        world.missingOwners.map((owner) => ({
          key: `check-in/${dueAt}/${owner}`,
          phase: "CHECK_INS",
          action: "check-in",
          recipient: { kind: "person", id: owner },
          dueAt,
          escalation: false,
          message: "Check in on your key results",
        })),
      );
      return { missing: world.missingOwners.length, reminded };
    },
    async alertAtRisk({ alreadyAlerted }) {
      const alerted = world.atRisk.filter((id) => !alreadyAlerted.includes(id));
      record.atRiskAlerted.push(...alerted);
      return { atRisk: world.atRisk, alerted };
    },
    async approveObjectives({ objectiveIds, actorId }) {
      record.approvals.push({ objectiveIds, actorId });
    },
    async requestFinalGrades({ onlyIfComplete }) {
      record.gradingOnlyIfComplete.push(onlyIfComplete === true);
      return record.gradingCalls <= world.incompleteGradings
        ? { ...world.grading, complete: false }
        : world.grading;
    },
    async collectRetrospectives() {
      record.retrospectiveCalls++;
      return world.retrospectives;
    },
    async proposeNextCycle({ carryForwardKeyResultIds }) {
      const nextCycleId = randomUUID();
      record.proposals.push({ carryForwardKeyResultIds, nextCycleId });
      return { nextCycleId, draftsCreated: carryForwardKeyResultIds.length };
    },
  };
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
/** The workflow code bundled once per test file (as the worker's `build` does for production). */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowsQuietly(WORKFLOWS_PATH);
  return bundle;
}

export interface Harness {
  client: Client;
  taskQueue: string;
  startWorker(activities: CycleActivities): Promise<RunningWorker>;
  /** Starts the world's cycle on this task queue, by default with no cycle after it. */
  startOneCycle(world: World, request?: Omit<RunCycleRequest, "cycleId">): Promise<unknown>;
}

export async function harness(): Promise<Harness> {
  installTemporalRuntime("WARN");
  const endpoints = testEndpoints();
  const temporal = { address: endpoints.TEMPORAL_ADDRESS, namespace: endpoints.TEMPORAL_NAMESPACE };
  const client = await connectTemporalClient(temporal);
  const taskQueue = uniqueName("okr-cycles-test");
  return {
    client,
    taskQueue,
    async startWorker(activities) {
      return startWorker(temporal, {
        taskQueue,
        workflowBundle: { code: (await workflowBundle()).code },
        activities,
      });
    },
    startOneCycle(world, request = {}) {
      return startCycleRun(
        client,
        world.organizationId,
        { cycleId: world.cycleId, continueWithNextCycle: false, ...request },
        taskQueue,
      );
    },
  };
}

/**
 * The harness of a describe block's tests: connected before them; the workers a test starts are stopped
 * after it (stopping one within the test as well is fine).
 */
export function harnessForTests(): Harness {
  let connected: Harness | undefined;
  const workers: RunningWorker[] = [];
  beforeAll(async () => {
    connected = await harness();
  });
  afterEach(async () => {
    for (const worker of workers.splice(0)) await worker.stop();
  });
  const h = (): Harness => {
    if (!connected) throw new Error("the harness connects before the tests");
    return connected;
  };
  return {
    get client() {
      return h().client;
    },
    get taskQueue() {
      return h().taskQueue;
    },
    async startWorker(activities) {
      const worker = await h().startWorker(activities);
      workers.push(worker);
      return worker;
    },
    startOneCycle: (world, request) => h().startOneCycle(world, request),
  };
}

/** A new world of `teams` (`overrides` applied) and a worker of `h` running its activities into `record`. */
export async function startWorld(
  h: Harness,
  teams: TeamRef[],
  overrides: Partial<World> = {},
): Promise<{ world: World; record: Record }> {
  const world = newWorld(teams, overrides);
  const record = new Record();
  await h.startWorker(worldActivities(world, record));
  return { world, record };
}

/** Waits until the drafting of the world's one top-level team is open. */
export function topLevelDraftingOpen(client: Client, world: World): Promise<true> {
  return waitFor("the top-level drafting to open", async () =>
    (await getCycleStatus(client, world.organizationId, world.cycleId)).teams.open === 1 ? true : undefined,
  );
}

/** The rejection an update must end in (its type and message say why). */
export async function rejectionOf(promise: Promise<unknown>): Promise<UpdateRejectedError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(UpdateRejectedError);
  return error as UpdateRejectedError;
}
