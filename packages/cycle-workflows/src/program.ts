import {
  allHandlersFinished,
  condition,
  continueAsNew,
  executeChild,
  ParentClosePolicy,
  setCurrentDetails,
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
import { cycleSummary } from "./summaries.ts";

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
  // A program started before names were passed learns its organization's name from a later request.
  let organizationName = input.organizationName;
  const organization = () => organizationName || organizationId;
  const cycleLabel = (request: RunCycleRequest) => request.cycleName || request.cycleId;
  // Current details are local state the metadata query reads (no command), so old histories replay.
  const describe = () =>
    setCurrentDetails(
      [
        current
          ? `**Running** cycle ${cycleLabel(current)} of ${organization()}; waits for it to close.`
          : `**Waiting** for a cycle of ${organization()} to run (signal \`runCycle\`).`,
        pending.length > 0 ? `Queued: ${pending.map(cycleLabel).join(", ")}.` : "",
        `Cycles run: ${cyclesRun}.`,
      ]
        .filter(Boolean)
        .join("\n\n"),
    );

  setHandler(runCycleSignal, (request) => {
    if (request.organizationName) organizationName = request.organizationName;
    // A repeated request (a client retry, a second click) for a cycle already queued, running or closed is a no-op.
    const known =
      current?.cycleId === request.cycleId ||
      pending.some((queued) => queued.cycleId === request.cycleId) ||
      recent.some((done) => done.cycleId === request.cycleId && done.outcome === "closed");
    if (!known) pending.push(request);
    describe();
  });
  setHandler(programStatusQuery, () => ({
    organizationId,
    ...(current ? { current } : {}),
    pending: [...pending],
    recent: [...recent],
    cyclesRun,
  }));
  upsertSearchAttributes([{ key: OkrOrganization, value: organizationId }]);
  describe();

  await condition(() => pending.length > 0);
  current = pending.shift() as RunCycleRequest;
  describe();
  upsertSearchAttributes([{ key: OkrCycle, value: current.cycleId }]);
  const closedAt = () => new Date().toISOString();
  try {
    const result = await executeChild(cycleWorkflow, {
      workflowId: workflowIds.cycle(organizationId, current.cycleId),
      args: [
        {
          organizationId,
          cycleId: current.cycleId,
          ...(organizationName ? { organizationName } : {}),
          ...(current.cycleName ? { cycleName: current.cycleName } : {}),
          ...(current.durations ? { durations: current.durations } : {}),
          ...(current.limits ? { limits: current.limits } : {}),
        },
      ],
      parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
      ...cycleSummary({
        organizationId,
        organizationName,
        cycleId: current.cycleId,
        cycleName: current.cycleName,
      }),
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
      pending.push({ ...withoutCycleName(current), cycleId: nextCycleId, requestedBy: "program" });
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
  describe();

  await condition(allHandlersFinished);
  await continueAsNew<typeof programWorkflow>({
    organizationId,
    ...(organizationName ? { organizationName } : {}),
    pending,
    recent: recent.slice(-RECENT_CYCLES),
    cyclesRun,
  });
}

/** The next cycle is another cycle: it must not inherit the name of the one that proposed it. */
function withoutCycleName(request: RunCycleRequest): RunCycleRequest {
  const { cycleName: _previous, ...rest } = request;
  return rest;
}
