/**
 * CASCADE over a tree of 1,000 teams (1 + 10 + 100 + 889), every team submitting and being approved
 * through workflow updates on the real Temporal server: wall time, workflow tasks/s and updates/s, next
 * to the rate of a trivial no-op workflow (one workflow task each) on the same server, in the same run,
 * with the same worker settings. Target: cascade tasks/s >= 50% of the no-op rate.
 * Run: `npm run bench -- cascade` (BENCH_TEAMS, BENCH_NOOPS to change the sizes).
 */
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import {
  getCycleStatus,
  startCycleRun,
  type TeamRef,
  teamObjectivesUpdate,
  UpdateRejectedError,
  WORKFLOWS_PATH,
  workflowIds,
} from "@okr/cycle-workflows";
import {
  bundleWorkflowsQuietly,
  connectTemporalClient,
  installTemporalRuntime,
  startWorker,
} from "@okr/temporal";
import { quietCycleActivities, testEndpoints, uniqueName } from "@okr/testkit";
import type { Client } from "@temporalio/client";
import type { WorkerOptions } from "@temporalio/worker";
import { benchSizes, printTable } from "./report.ts";

const { TEAMS, NOOPS } = benchSizes({ TEAMS: 1_000, NOOPS: 2_000 });
/** Client calls in flight at once (updates, or no-op starts). */
const IN_FLIGHT = 200;

installTemporalRuntime("ERROR");
const endpoints = testEndpoints();
const temporal = { address: endpoints.TEMPORAL_ADDRESS, namespace: endpoints.TEMPORAL_NAMESPACE };
const client = await connectTemporalClient(temporal);
/** The same settings for both workers: everything cached, so neither pays for replays. */
const workerSettings: Partial<WorkerOptions> = {
  maxCachedWorkflows: TEAMS + 100,
  maxConcurrentWorkflowTaskExecutions: 100,
  maxConcurrentActivityTaskExecutions: 100,
};

/** Runs `work` over `items` with at most `limit` in flight. */
async function pool<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}

async function workflowTasksOf(temporal: Client, workflowId: string): Promise<number> {
  let tasks = 0;
  for (const event of (await temporal.workflow.getHandle(workflowId).fetchHistory()).events ?? [])
    if (String(event.eventType) === "6" || String(event.eventType) === "EVENT_TYPE_WORKFLOW_TASK_COMPLETED")
      tasks++;
  return tasks;
}

async function noopRate(): Promise<{ seconds: number; tasksPerSecond: number }> {
  const taskQueue = uniqueName("bench-noop");
  const worker = await startWorker(temporal, {
    ...workerSettings,
    taskQueue,
    workflowBundle: {
      code: (await bundleWorkflowsQuietly(fileURLToPath(new URL("./noop-workflow.ts", import.meta.url))))
        .code,
    },
  });
  const ids = Array.from({ length: NOOPS }, (_, i) => `bench-noop/${randomUUID()}/${i}`);
  const began = performance.now();
  await pool(ids, IN_FLIGHT, async (workflowId) => {
    await client.workflow.execute("noopWorkflow", { workflowId, taskQueue });
  });
  const seconds = (performance.now() - began) / 1000;
  await worker.stop();
  // One workflow task each (checked on a sample).
  const sampled = await workflowTasksOf(client, ids[0] as string);
  if (sampled !== 1) throw new Error(`a no-op workflow took ${sampled} workflow tasks`);
  return { seconds, tasksPerSecond: NOOPS / seconds };
}

function teamTree(count: number): TeamRef[] {
  const teams: TeamRef[] = [];
  const team = (name: string, parent: TeamRef | null) => {
    const created: TeamRef = {
      id: randomUUID(),
      name,
      parentTeamId: parent?.id ?? null,
      leaderIds: [randomUUID()],
    };
    teams.push(created);
    return created;
  };
  const root = team("Company", null);
  let layer: TeamRef[] = [root];
  while (teams.length < count) {
    const next: TeamRef[] = [];
    for (let i = 0; teams.length < count && i < layer.length * 10; i++)
      next.push(team(`Team ${teams.length}`, layer[Math.floor(i / 10)] as TeamRef));
    layer = next;
  }
  return teams;
}

async function cascade() {
  const organizationId = randomUUID();
  const cycleId = randomUUID();
  const teams = teamTree(TEAMS);
  const taskQueue = uniqueName("bench-cascade");
  const activities = quietCycleActivities(
    {
      id: cycleId,
      name: "Bench quarter",
      startsAt: new Date().toISOString(),
      endsAt: new Date(Date.now() + 90 * 86_400_000).toISOString(),
      timeZone: "UTC",
      checkInCadence: { weekday: 1, hour: 9, everyDays: 7 },
      mission: "Measure",
    },
    teams,
  );
  const worker = await startWorker(temporal, {
    ...workerSettings,
    taskQueue,
    workflowBundle: { code: (await bundleWorkflowsQuietly(WORKFLOWS_PATH)).code },
    activities,
  });

  // Each team waits for its parent's approval, then its leader submits (adopting a parent key result)
  // and approves; "not opened yet" is retried (its drafting opens once the cycle sees the parent close).
  const done = new Map<string, { promise: Promise<void>; resolve: () => void }>();
  for (const team of teams) {
    let resolve = () => {};
    const promise = new Promise<void>((r) => {
      resolve = r;
    });
    done.set(team.id, { promise, resolve });
  }
  let updates = 0;
  let retries = 0;
  let waits = 0;
  const update = async (team: TeamRef, action: "submit" | "approve") => {
    const ids = { organizationId, cycleId, teamId: team.id };
    const leader = team.leaderIds[0] as string;
    for (;;) {
      try {
        await teamObjectivesUpdate(
          client,
          ids,
          action,
          action === "submit"
            ? { actorId: leader, adoptedKeyResultIds: [randomUUID()] }
            : { actorId: leader },
        );
        updates++;
        return;
      } catch (error) {
        const notOpenYet =
          error instanceof UpdateRejectedError && /has not opened|loading|is opening/.test(error.message);
        if (!notOpenYet) throw error;
        retries++;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  };
  const began = performance.now();
  const progress = setInterval(() => {
    if (process.env.BENCH_PROGRESS)
      console.error(
        `  ${updates} updates, ${waits} waits, ${((performance.now() - began) / 1000).toFixed(0)} s`,
      );
  }, 2_000);
  await startCycleRun(
    client,
    organizationId,
    {
      cycleId,
      continueWithNextCycle: false,
      durations: { settingSeconds: 3_600, teamDraftingSeconds: 3_600, reminderLeadSeconds: 0 },
    },
    taskQueue,
  );
  // The program starts the cycle as its child: wait until the cycle has loaded its teams.
  for (;;) {
    const status = await getCycleStatus(client, organizationId, cycleId).catch(() => undefined);
    if (status && status.teams.total === TEAMS) break;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const byId = new Map(teams.map((team) => [team.id, team]));
  // Breadth-first order, so the bounded pool of in-flight calls works layer by layer.
  await pool(teams, IN_FLIGHT, async (team) => {
    if (team.parentTeamId) await done.get(team.parentTeamId)?.promise;
    // Its drafting opens once the cycle sees the parent's close: wait for the team's workflow (a cheap
    // describe) rather than sending updates that the cycle would have to reject.
    const teamWorkflow = client.workflow.getHandle(workflowIds.team(organizationId, cycleId, team.id));
    const opened = () =>
      teamWorkflow.describe().then(
        () => true,
        () => false,
      );
    for (let delay = 25; !(await opened()); delay = Math.min(delay * 2, 1_000)) {
      waits++;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
    await update(team, "submit");
    await update(team, "approve");
    done.get(team.id)?.resolve();
  });
  for (;;) {
    const status = await getCycleStatus(client, organizationId, cycleId);
    if (status.phase !== "SETTING" && status.phase !== "CASCADE") {
      if (status.teams.approved !== TEAMS) throw new Error(`only ${status.teams.approved} teams approved`);
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const seconds = (performance.now() - began) / 1000;
  clearInterval(progress);
  const cycleWorkflowId = workflowIds.cycle(organizationId, cycleId);
  await client.workflow.getHandle(workflowIds.program(organizationId)).terminate("bench done");
  await worker.stop();

  let tasks = 0;
  await pool([...byId.keys()], 50, async (teamId) => {
    const teamTasks = await workflowTasksOf(client, workflowIds.team(organizationId, cycleId, teamId));
    tasks += teamTasks;
  });
  const cycleTasks = await workflowTasksOf(client, cycleWorkflowId);
  return { seconds, tasks: tasks + cycleTasks, cycleTasks, updates, retries, waits };
}

const noopBefore = await noopRate();
const run = await cascade();
const noopAfter = await noopRate();
const noopTasksPerSecond = (noopBefore.tasksPerSecond + noopAfter.tasksPerSecond) / 2;
const cascadeTasksPerSecond = run.tasks / run.seconds;
printTable(`CASCADE over ${TEAMS} teams vs ${NOOPS} no-op workflows (same server, same run)`, [
  [
    "cascade wall time",
    `${run.seconds.toFixed(2)} s`,
    "start of the cycle -> every team approved, phase past CASCADE",
  ],
  [
    "cascade updates",
    `${run.updates}`,
    `${(run.updates / run.seconds).toFixed(0)} updates/s (${run.waits} describes waiting for a drafting to open, ${run.retries} retried updates)`,
  ],
  [
    "cascade workflow tasks",
    `${run.tasks}`,
    `${run.cycleTasks} in the cycle workflow, the rest in ${TEAMS} team workflows`,
  ],
  ["cascade workflow tasks/s", cascadeTasksPerSecond.toFixed(0), ""],
  [
    "no-op workflow tasks/s",
    noopTasksPerSecond.toFixed(0),
    `before ${noopBefore.tasksPerSecond.toFixed(0)}, after ${noopAfter.tasksPerSecond.toFixed(0)}`,
  ],
  ["cascade / no-op", `${((cascadeTasksPerSecond / noopTasksPerSecond) * 100).toFixed(0)}%`, "target >= 50%"],
]);
process.exit(0);
