import { type Client, WorkflowNotFoundError, WorkflowUpdateFailedError } from "@temporalio/client";
import { ApplicationFailure } from "@temporalio/common";
import {
  type AdminInput,
  type AdvancePhaseInput,
  type ApproveObjectivesInput,
  advancePhaseUpdate,
  approveObjectivesUpdate,
  type CycleStatus,
  cycleStatusQuery,
  type ExtendDeadlineInput,
  explainTeamUpdate,
  extendDeadlineUpdate,
  pauseUpdate,
  programWorkflowType,
  REJECTION,
  type RejectionType,
  type RunCycleRequest,
  resumeUpdate,
  runCycleSignal,
  type SubmitObjectivesInput,
  submitObjectivesUpdate,
  TASK_QUEUE,
  type TeamDraftingStatus,
  workflowIds,
} from "./api.ts";
import { programSummary } from "./summaries.ts";

/**
 * Client-side calls (the goals API, tests, the bench): start and steer cycles, and route team updates.
 * Uses @temporalio/client; never imported by workflow code.
 */

/** A workflow's validator refused the update; `type` says why (see REJECTION), `message` is for people. */
export class UpdateRejectedError extends Error {
  override name = "UpdateRejectedError";
  readonly type: RejectionType | string;
  constructor(type: string, message: string) {
    super(message);
    this.type = type;
  }
}

/** The workflow (cycle or program) does not exist for this organization. */
export class CycleNotRunningError extends Error {
  override name = "CycleNotRunningError";
}

/** Temporal refused the call for now (e.g. too many updates in flight on one workflow): retry shortly. */
export class WorkflowBusyError extends Error {
  override name = "WorkflowBusyError";
}

function busy(error: unknown): boolean {
  const candidates = [error, (error as { cause?: unknown } | undefined)?.cause];
  return candidates.some(
    (candidate) =>
      (candidate as { code?: number } | undefined)?.code === 8 ||
      /RESOURCE_EXHAUSTED|in-flight updates/i.test(candidate instanceof Error ? candidate.message : ""),
  );
}

function rejection(error: unknown): UpdateRejectedError | undefined {
  if (!(error instanceof WorkflowUpdateFailedError)) return undefined;
  const cause = error.cause;
  if (cause instanceof ApplicationFailure)
    return new UpdateRejectedError(cause.type ?? "Rejected", cause.message);
  return new UpdateRejectedError("Rejected", cause?.message ?? error.message);
}

/** Update to a workflow that is not running (never started, or already completed). */
function notRunning(error: unknown): boolean {
  if (error instanceof WorkflowNotFoundError) return true;
  const text =
    error instanceof Error ? `${error.message} ${String((error as { cause?: unknown }).cause ?? "")}` : "";
  return /workflow (execution )?(already )?(completed|not found)|not found/i.test(text);
}

async function update<Ret>(run: () => Promise<Ret>, whenNotRunning: () => Promise<Ret>): Promise<Ret> {
  try {
    return await run();
  } catch (error) {
    const rejected = rejection(error);
    if (rejected) throw rejected;
    if (busy(error)) throw new WorkflowBusyError(error instanceof Error ? error.message : String(error));
    if (notRunning(error)) return whenNotRunning();
    throw error;
  }
}

/**
 * Signal-with-start: the organization's program workflow (started if needed) queues this cycle. The
 * request's names (organization, cycle) label the workflows in the Temporal UI.
 */
export async function startCycleRun(
  client: Client,
  organizationId: string,
  request: RunCycleRequest,
  taskQueue: string = TASK_QUEUE,
): Promise<{ programWorkflowId: string; cycleWorkflowId: string; programRunId: string }> {
  const { organizationName } = request;
  const handle = await client.workflow.signalWithStart(programWorkflowType, {
    workflowId: workflowIds.program(organizationId),
    taskQueue,
    args: [{ organizationId, ...(organizationName ? { organizationName } : {}) }],
    ...programSummary({ organizationId, organizationName }),
    signal: runCycleSignal,
    signalArgs: [request],
  });
  return {
    programWorkflowId: handle.workflowId,
    cycleWorkflowId: workflowIds.cycle(organizationId, request.cycleId),
    programRunId: handle.signaledRunId,
  };
}

export async function getCycleStatus(
  client: Client,
  organizationId: string,
  cycleId: string,
): Promise<CycleStatus> {
  try {
    return await client.workflow
      .getHandle(workflowIds.cycle(organizationId, cycleId))
      .query(cycleStatusQuery);
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) throw new CycleNotRunningError(`cycle ${cycleId} has no run`);
    throw error;
  }
}

const ADMIN_UPDATES = {
  pause: pauseUpdate,
  resume: resumeUpdate,
  "extend-deadline": extendDeadlineUpdate,
  advance: advancePhaseUpdate,
} as const;
export type AdminAction = keyof typeof ADMIN_UPDATES;

export async function adminCycleUpdate(
  client: Client,
  organizationId: string,
  cycleId: string,
  action: AdminAction,
  input: AdminInput | ExtendDeadlineInput | AdvancePhaseInput,
): Promise<CycleStatus> {
  const handle = client.workflow.getHandle(workflowIds.cycle(organizationId, cycleId));
  return update(
    () =>
      handle.executeUpdate(ADMIN_UPDATES[action] as typeof extendDeadlineUpdate, {
        args: [input as ExtendDeadlineInput],
      }),
    async () => {
      throw new CycleNotRunningError(`cycle ${cycleId} is not running`);
    },
  );
}

/**
 * Submit or approve a team's objectives: the update goes to the team's drafting workflow. When that is
 * not running, the cycle's `explainTeamUpdate` validator says why (unknown team, wrong phase, not open
 * yet, already over); when the cycle is not running either, CycleNotRunningError.
 */
export async function teamObjectivesUpdate(
  client: Client,
  ids: { organizationId: string; cycleId: string; teamId: string },
  action: "submit" | "approve",
  input: SubmitObjectivesInput | ApproveObjectivesInput,
): Promise<TeamDraftingStatus> {
  const team = client.workflow.getHandle(workflowIds.team(ids.organizationId, ids.cycleId, ids.teamId));
  const cycle = client.workflow.getHandle(workflowIds.cycle(ids.organizationId, ids.cycleId));
  const explain = () =>
    update<TeamDraftingStatus>(
      async () => {
        await cycle.executeUpdate(explainTeamUpdate, { args: [{ teamId: ids.teamId, action }] });
        throw new UpdateRejectedError("Rejected", `team ${ids.teamId} is not drafting`);
      },
      async () => {
        throw new CycleNotRunningError(`cycle ${ids.cycleId} is not running`);
      },
    );
  const send = () =>
    update(
      () =>
        action === "submit"
          ? team.executeUpdate(submitObjectivesUpdate, { args: [input as SubmitObjectivesInput] })
          : team.executeUpdate(approveObjectivesUpdate, { args: [input] }),
      explain,
    );
  // The cycle has opened the team's drafting but its workflow is still starting: try again shortly.
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (error) {
      const opening = error instanceof UpdateRejectedError && error.type === REJECTION.draftingOpening;
      if (!opening || attempt >= OPENING_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }
}

const OPENING_ATTEMPTS = 8;
