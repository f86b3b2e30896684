import {
  allHandlersFinished,
  condition,
  continueAsNew,
  executeChild,
  ParentClosePolicy,
  setHandler,
  upsertSearchAttributes,
} from "@temporalio/workflow";
import {
  type CompletedCycle,
  type ProgramInput,
  programStatusQuery,
  type RunCycleRequest,
  runCycleSignal,
  workflowIds,
} from "./api.ts";
import { OkrCycle, OkrOrganization } from "./attributes.ts";
import { cycleWorkflow } from "./cycle.ts";

const RECENT_CYCLES = 5;

/**
 * One per organization (id okr-program/<org>), started by signal-with-start of `runCycle`. It runs the
 * requested cycles one at a time as child workflows and, by default, the next cycle each retrospective
 * proposes. Every run handles exactly one cycle and then continues as new (after its handlers have
 * finished), so its history never grows with the number of quarters.
 */
export async function programWorkflow(input: ProgramInput): Promise<void> {
  const { organizationId } = input;
  const pending: RunCycleRequest[] = [...(input.pending ?? [])];
  const recent: CompletedCycle[] = [...(input.recent ?? [])];
  let cyclesRun = input.cyclesRun ?? 0;
  let current: RunCycleRequest | undefined;

  setHandler(runCycleSignal, (request) => {
    // A repeated request (a client retry, a second click) for a cycle already queued, running or closed is a no-op.
    const known =
      current?.cycleId === request.cycleId ||
      pending.some((queued) => queued.cycleId === request.cycleId) ||
      recent.some((done) => done.cycleId === request.cycleId && done.outcome === "closed");
    if (!known) pending.push(request);
  });
  setHandler(programStatusQuery, () => ({
    organizationId,
    ...(current ? { current } : {}),
    pending: [...pending],
    recent: [...recent],
    cyclesRun,
  }));
  upsertSearchAttributes([{ key: OkrOrganization, value: organizationId }]);

  await condition(() => pending.length > 0);
  current = pending.shift() as RunCycleRequest;
  upsertSearchAttributes([{ key: OkrCycle, value: current.cycleId }]);
  const closedAt = () => new Date().toISOString();
  try {
    const result = await executeChild(cycleWorkflow, {
      workflowId: workflowIds.cycle(organizationId, current.cycleId),
      args: [
        {
          organizationId,
          cycleId: current.cycleId,
          ...(current.durations ? { durations: current.durations } : {}),
          ...(current.limits ? { limits: current.limits } : {}),
        },
      ],
      parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
    });
    const nextCycleId = result.report.nextCycleId;
    recent.push({
      cycleId: current.cycleId,
      outcome: "closed",
      closedAt: closedAt(),
      ...(nextCycleId ? { nextCycleId } : {}),
      ...(result.report.organizationScore !== null
        ? { organizationScore: result.report.organizationScore }
        : {}),
    });
    if (nextCycleId && current.continueWithNextCycle !== false)
      pending.push({ ...current, cycleId: nextCycleId, requestedBy: "program" });
  } catch (error) {
    recent.push({
      cycleId: current.cycleId,
      outcome: "failed",
      closedAt: closedAt(),
      failure: String(error),
    });
  }
  cyclesRun++;
  current = undefined;

  await condition(allHandlersFinished);
  await continueAsNew<typeof programWorkflow>({
    organizationId,
    pending,
    recent: recent.slice(-RECENT_CYCLES),
    cyclesRun,
  });
}
