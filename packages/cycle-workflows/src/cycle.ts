import {
  ActivityFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  executeChild,
  getExternalWorkflowHandle,
  log,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from "@temporalio/workflow";
import type { CycleActivities, CycleCalendar, GradingSummary, ReminderRequest } from "./activities.ts";
import {
  advancePhaseUpdate,
  type CycleCheckpoint,
  type CycleInput,
  type CyclePhase,
  type CycleReport,
  type CycleResult,
  type CycleStatus,
  cycleStatusQuery,
  DEFAULT_DURATIONS,
  DEFAULT_LIMITS,
  explainTeamUpdate,
  extendDeadlineUpdate,
  PHASES,
  type PhaseChange,
  pauseUpdate,
  REJECTION,
  resumeUpdate,
  type TeamCounts,
  type TeamRef,
  teamControlSignal,
  workflowIds,
} from "./api.ts";
import { OkrCycle, OkrOrganization, OkrPhase, OkrTeam } from "./attributes.ts";
import { runCheckIns } from "./check-ins.ts";
import { PhaseClock } from "./clock.ts";
import { PATCHES } from "./patches.ts";
import { runRetrospective } from "./retrospective.ts";
import { ACTIVITY_OPTIONS } from "./retry.ts";
import { runScoring } from "./scoring.ts";
import { cycleDetails, teamSummary } from "./summaries.ts";
import { reject, teamDraftingWorkflow } from "./team-drafting.ts";

const activities = proxyActivities<CycleActivities>(ACTIVITY_OPTIONS);
/** The retry an operator asks for by resuming a cycle paused on a failed step: one attempt, answered at once. */
const retryOnce = proxyActivities<CycleActivities>({
  ...ACTIVITY_OPTIONS,
  retry: { ...ACTIVITY_OPTIONS.retry, maximumAttempts: 1 },
});

const MAX_EXTENSION_SECONDS = 180 * 86_400;
const REMINDER_BATCH = 500;

type TeamState = "waiting" | "open" | "approved" | "missed" | "closed" | "skipped";

/**
 * One OKR cycle: SETTING -> CASCADE -> CHECK_INS -> SCORING -> RETROSPECTIVE -> CLOSED. Admin updates
 * pause, resume, extend the current deadline or advance the phase; a query reports status; search
 * attributes follow the phase. A large cascade continues as new between windows of team drafting, so
 * the history stays bounded.
 */
export async function cycleWorkflow(input: CycleInput): Promise<CycleResult> {
  const { organizationId, cycleId } = input;
  const durations = { ...DEFAULT_DURATIONS, ...input.durations };
  const limits = { ...DEFAULT_LIMITS, ...input.limits };
  const checkpoint = input.checkpoint;
  const ref = { organizationId, cycleId };
  const workflowId = workflowIds.cycle(organizationId, cycleId);
  const clock = new PhaseClock();
  if (checkpoint?.paused) clock.pause(checkpoint.pausedReason ?? "paused");

  let phase: CyclePhase = checkpoint?.phase ?? "SETTING";
  const phaseLog: PhaseChange[] = checkpoint?.phaseLog ?? [];
  const teamCounts: TeamCounts = checkpoint?.teams ?? {
    total: 0,
    waiting: 0,
    open: 0,
    approved: 0,
    missed: 0,
    closed: 0,
    skipped: 0,
  };
  const checkIns = { due: 0, ticks: 0, remindersSent: 0, atRiskAlerts: 0, midCycleReviewed: false };
  const scoring = { attempts: 0, complete: false, organizationScore: null as number | null };
  let report: CycleReport | undefined;
  let advanceRequested = false;
  // The essential step whose failure paused the cycle, and what the operator's last retry of it did.
  let failedStep: CycleStatus["failedStep"];
  let lastRetry: CycleStatus["lastRetry"];
  let operatorRetry = false;
  let retriesSettled = 0;
  let teamsLoaded = false;
  const teams = new Map<string, TeamRef>();
  const childrenOf = new Map<string, string[]>();
  const teamStates = new Map<string, TeamState>();
  const runningTeams = new Set<string>();

  const status = (): CycleStatus => ({
    organizationId,
    cycleId,
    phase,
    paused: clock.paused,
    ...(clock.pausedReason ? { pausedReason: clock.pausedReason } : {}),
    ...(failedStep ? { failedStep: { ...failedStep } } : {}),
    ...(lastRetry ? { lastRetry: { ...lastRetry } } : {}),
    ...(clock.deadlineAt !== undefined ? { deadline: new Date(clock.deadlineAt).toISOString() } : {}),
    teams: { ...teamCounts },
    checkIns: { ...checkIns },
    scoring: { ...scoring },
    phaseLog: [...phaseLog],
    ...(report ? { report } : {}),
    runs: (checkpoint?.runs ?? 0) + 1,
  });

  let calendarName: string | undefined;
  let loading = true;
  const names = () => ({
    organizationId,
    organizationName: input.organizationName,
    cycleId,
    cycleName: input.cycleName || calendarName,
  });
  // Current details for the Temporal UI: local state the metadata query reads, no command, so older
  // histories replay unchanged. Refreshed on every clock change and wait, and as the phase moves.
  const describe = () =>
    setCurrentDetails(
      cycleDetails(names(), {
        phase: loading ? undefined : phase,
        paused: clock.paused,
        pausedReason: clock.pausedReason,
        deadlineAt: clock.deadlineAt,
        teams: teamCounts,
        checkIns,
        scoring,
        advanceRequested,
      }),
    );
  clock.onChange = describe;

  /** Signals every running team workflow; settles once each signal is in its team's history (or failed). */
  const signalRunningTeams = (control: ControlArg): Promise<unknown> =>
    Promise.all(
      [...runningTeams].map((teamId) =>
        getExternalWorkflowHandle(workflowIds.team(organizationId, cycleId, teamId))
          .signal(teamControlSignal, control)
          // A child that just finished cannot take the signal; nothing is lost.
          .catch(() => undefined),
      ),
    );

  const rejectWhenClosed = () => {
    if (phase === "CLOSED") throw reject(REJECTION.wrongPhase, `cycle ${cycleId} is closed`);
  };

  setHandler(cycleStatusQuery, status);
  setHandler(
    pauseUpdate,
    async (request) => {
      clock.pause(request.reason ?? `paused by ${request.actorId}`);
      const delivered = signalRunningTeams({ action: "pause" });
      // Answered once every team holds the pause, so an approval sent after the answer is refused.
      if (patched(PATCHES.controlAnswersOnceTeamsHaveIt)) await delivered;
      return status();
    },
    {
      validator: (_request) => {
        rejectWhenClosed();
        if (clock.paused) throw reject(REJECTION.invalidState, `cycle ${cycleId} is already paused`);
      },
    },
  );
  setHandler(
    resumeUpdate,
    async (_request) => {
      // Paused on a failed step, resume retries it once and answers with what the retry did (status
      // `lastRetry`, and `failedStep` again if it failed). Before this patch the answer came at once.
      const retrying = failedStep !== undefined && patched(PATCHES.resumeRetriesFailedStep);
      const settled = retriesSettled;
      if (retrying) operatorRetry = true;
      clock.resume();
      const delivered = signalRunningTeams({ action: "resume" });
      if (patched(PATCHES.controlAnswersOnceTeamsHaveIt)) await delivered;
      if (retrying) await condition(() => retriesSettled !== settled);
      return status();
    },
    {
      validator: (_request) => {
        rejectWhenClosed();
        if (!clock.paused) throw reject(REJECTION.invalidState, `cycle ${cycleId} is not paused`);
      },
    },
  );
  setHandler(
    extendDeadlineUpdate,
    (request) => {
      clock.extend(request.seconds * 1000);
      if (phase === "SETTING" || phase === "CASCADE")
        signalRunningTeams({ action: "extend", seconds: request.seconds });
      return status();
    },
    {
      validator: (request) => {
        rejectWhenClosed();
        if (
          !Number.isInteger(request.seconds) ||
          request.seconds < 1 ||
          request.seconds > MAX_EXTENSION_SECONDS
        )
          throw reject(
            REJECTION.invalidInput,
            `seconds must be a whole number from 1 to ${MAX_EXTENSION_SECONDS}`,
          );
        if (clock.deadlineAt === undefined && phase !== "CASCADE")
          throw reject(REJECTION.wrongPhase, `phase ${phase} has no deadline to extend right now`);
      },
    },
  );
  setHandler(
    advancePhaseUpdate,
    (_request) => {
      advanceRequested = true;
      clock.touch();
      return status();
    },
    {
      validator: (request) => {
        rejectWhenClosed();
        if (request.from && request.from !== phase)
          throw reject(REJECTION.wrongPhase, `the cycle is in ${phase}, not ${request.from}`);
        if (advanceRequested)
          throw reject(REJECTION.invalidState, `phase ${phase} is already being advanced`);
        if (clock.paused && failedStep)
          throw reject(
            REJECTION.invalidState,
            `cycle ${cycleId} is paused because ${failedStep.step} failed (${failedStep.cause}); advancing cannot skip that step: resume to retry it`,
          );
      },
    },
  );
  setHandler(
    explainTeamUpdate,
    (_request) => {
      throw reject(REJECTION.invalidState, "this update only explains rejections");
    },
    {
      validator: ({ teamId, action }) => {
        if (!teamsLoaded)
          throw reject(REJECTION.invalidState, "the cycle is still loading its teams; try again");
        const team = teams.get(teamId);
        if (!team) throw reject(REJECTION.unknownTeam, `team ${teamId} is not part of cycle ${cycleId}`);
        if (phase !== "SETTING" && phase !== "CASCADE")
          throw reject(
            REJECTION.wrongPhase,
            `cycle ${cycleId} is in ${phase}; objectives are submitted and approved in SETTING and CASCADE`,
          );
        const state = teamStates.get(teamId) ?? "waiting";
        if (state === "waiting")
          throw reject(
            REJECTION.wrongPhase,
            `drafting for team ${team.name} has not opened: it opens when its parent team's drafting closes`,
          );
        if (state === "open")
          throw reject(
            REJECTION.draftingOpening,
            `drafting for team ${team.name} is opening; ${action} again`,
          );
        throw reject(REJECTION.wrongPhase, `drafting for team ${team.name} is over (${state})`);
      },
    },
  );

  /**
   * An essential step that keeps failing pauses the cycle for an operator instead of failing it; the
   * operator's resume retries it (once, when asked through the patched resume).
   */
  async function essential<T>(what: string, step: (via: CycleActivities) => Promise<T>): Promise<T> {
    for (;;) {
      const byOperator = operatorRetry;
      operatorRetry = false;
      try {
        const result = await step(byOperator ? retryOnce : activities);
        if (failedStep) {
          lastRetry = { step: what, outcome: "succeeded", at: new Date().toISOString() };
          failedStep = undefined;
          retriesSettled++;
        }
        return result;
      } catch (error) {
        if (!(error instanceof ActivityFailure)) throw error;
        const cause = error.cause?.message ?? error.message;
        log.error("cycle step failed; pausing for an operator", { what, cause });
        if (failedStep) {
          lastRetry = { step: what, outcome: "failed", cause, at: new Date().toISOString() };
          retriesSettled++;
        }
        failedStep = { step: what, cause, attempts: (failedStep?.attempts ?? 0) + 1 };
        clock.pause(`${what} failed (${cause}); resume to retry`);
        await condition(() => !clock.paused);
      }
    }
  }

  async function enterPhase(next: CyclePhase, reason: PhaseChange["reason"]) {
    const previous = phaseLog.at(-1);
    if (previous?.phase !== next) {
      if (previous) phaseLog.push({ phase: previous.phase, at: new Date().toISOString(), reason });
      phaseLog.push({ phase: next, at: new Date().toISOString(), reason: "start" });
      // Bounded: two entries per phase.
    }
    phase = next;
    advanceRequested = false;
    clock.deadlineAt = undefined;
    describe();
    upsertSearchAttributes([
      { key: OkrOrganization, value: organizationId },
      { key: OkrCycle, value: cycleId },
      { key: OkrPhase, value: next },
    ]);
    await essential(`moving the cycle to ${next}`, (via) => via.setPhase({ ...ref, phase: next }));
  }

  async function loadTeams(): Promise<void> {
    let cursor: string | null = null;
    do {
      const page = await essential("loading teams", (via) => via.listTeams({ organizationId, cursor }));
      for (const team of page.items) teams.set(team.id, team);
      cursor = page.nextCursor;
    } while (cursor);
    for (const team of teams.values()) {
      const parent = team.parentTeamId && teams.has(team.parentTeamId) ? team.parentTeamId : null;
      if (parent) childrenOf.set(parent, [...(childrenOf.get(parent) ?? []), team.id]);
    }
    if (!checkpoint) {
      teamCounts.total = teams.size;
      teamCounts.waiting = teams.size;
      for (const id of teams.keys()) teamStates.set(id, "waiting");
    } else {
      // Resumed mid-cascade: only the ready teams and their descendants are still to draft.
      for (const id of teams.keys()) teamStates.set(id, "closed");
      const stack = [...checkpoint.readyTeamIds];
      while (stack.length > 0) {
        const id = stack.pop() as string;
        teamStates.set(id, "waiting");
        stack.push(...(childrenOf.get(id) ?? []));
      }
    }
    teamsLoaded = true;
  }

  const isRoot = (team: TeamRef) => !team.parentTeamId || !teams.has(team.parentTeamId);
  const descendants = (ids: string[]): string[] => {
    const found: string[] = [];
    const stack = [...ids];
    while (stack.length > 0) {
      const id = stack.pop() as string;
      found.push(id);
      stack.push(...(childrenOf.get(id) ?? []));
    }
    return found;
  };

  function closeTeam(teamId: string, outcome: "approved" | "missed" | "closed") {
    runningTeams.delete(teamId);
    teamStates.set(teamId, outcome);
    teamCounts.open--;
    teamCounts[outcome]++;
  }

  /**
   * Team drafting in a sliding window of child workflows. SETTING drafts the top-level teams against
   * the phase deadline; CASCADE opens each team when its parent's drafting closes, with its own
   * deadline. Returns the teams still waiting when the history budget asks for continue-as-new.
   */
  async function draftTeams(
    draftPhase: "SETTING" | "CASCADE",
    ready: string[],
  ): Promise<{ reason: PhaseChange["reason"]; remaining: string[] }> {
    const queue = [...ready];
    let closures = 0;
    const overBudget = () =>
      draftPhase === "CASCADE" &&
      (workflowInfo().historyLength > limits.historyEventBudget || workflowInfo().continueAsNewSuggested);
    const open = (teamId: string) => {
      const team = teams.get(teamId) as TeamRef;
      const parentLeaderIds = team.parentTeamId ? (teams.get(team.parentTeamId)?.leaderIds ?? []) : [];
      const deadlineAt =
        draftPhase === "SETTING"
          ? (clock.deadlineAt as number)
          : Date.now() + durations.teamDraftingSeconds * 1000;
      runningTeams.add(teamId);
      teamStates.set(teamId, "open");
      teamCounts.waiting--;
      teamCounts.open++;
      executeChild(teamDraftingWorkflow, {
        workflowId: workflowIds.team(organizationId, cycleId, teamId),
        args: [
          {
            organizationId,
            cycleId,
            phase: draftPhase,
            team,
            parentLeaderIds,
            deadlineAt,
            reminderLeadMs: durations.reminderLeadSeconds * 1000,
            escalationGraceMs: durations.escalationGraceSeconds * 1000,
            ...(draftPhase === "SETTING" ? { mission: calendar.mission } : {}),
            ...(input.organizationName ? { organizationName: input.organizationName } : {}),
            ...(names().cycleName ? { cycleName: names().cycleName } : {}),
          },
        ],
        ...teamSummary({ ...names(), teamId, teamName: team.name }, draftPhase),
        typedSearchAttributes: [
          { key: OkrOrganization, value: organizationId },
          { key: OkrCycle, value: cycleId },
          { key: OkrPhase, value: draftPhase },
          { key: OkrTeam, value: teamId },
        ],
      })
        .then(
          (result) => result.outcome,
          (error) => {
            log.warn("team drafting ended without a result", { teamId, error: String(error) });
            return "closed" as const;
          },
        )
        .then((outcome) => {
          // One callback, so a waiting condition never sees the team closed without its children queued.
          closeTeam(teamId, outcome);
          if (draftPhase === "CASCADE") queue.push(...(childrenOf.get(teamId) ?? []));
          closures++;
        });
    };

    for (;;) {
      if (advanceRequested) {
        signalRunningTeams({ action: "close" });
        const skipped = descendants(queue).filter((id) => teamStates.get(id) === "waiting");
        for (const id of skipped) teamStates.set(id, "skipped");
        teamCounts.waiting -= skipped.length;
        teamCounts.skipped += skipped.length;
        queue.length = 0;
        await condition(() => runningTeams.size === 0);
        // Children of teams that closed while draining are skipped too.
        const late = descendants(queue).filter((id) => teamStates.get(id) === "waiting");
        for (const id of late) teamStates.set(id, "skipped");
        teamCounts.waiting -= late.length;
        teamCounts.skipped += late.length;
        return { reason: "admin", remaining: [] };
      }
      if (queue.length === 0 && runningTeams.size === 0)
        return { reason: teamCounts.missed > 0 ? "deadline" : "complete", remaining: [] };
      if (overBudget()) {
        if (runningTeams.size === 0) return { reason: "complete", remaining: queue };
      } else {
        while (queue.length > 0 && runningTeams.size < limits.maxConcurrentTeams && !clock.paused)
          open(queue.shift() as string);
      }
      const seen = closures;
      const wasPaused = clock.paused;
      describe();
      await condition(() => closures !== seen || advanceRequested || clock.paused !== wasPaused);
    }
  }

  // ---- the cycle ----
  describe();
  const calendar: CycleCalendar = await essential("loading the cycle", (via) => via.loadCycle(ref));
  calendarName = calendar.name;
  await loadTeams();
  loading = false;
  let grading: GradingSummary | undefined;
  let endReason: PhaseChange["reason"] = "complete";
  // What the phases after the cascade (check-ins, scoring, retrospective) each run with.
  const phaseContext = {
    ref,
    workflowId,
    durations,
    clock,
    essential,
    remind,
    advanceRequested: () => advanceRequested,
  };

  for (let index = PHASES.indexOf(phase); index < PHASES.length; index++) {
    const current = PHASES[index] as CyclePhase;
    const resuming = checkpoint !== undefined && current === checkpoint.phase;
    if (resuming) upsertSearchAttributes([{ key: OkrPhase, value: current }]);
    else await enterPhase(current, endReason);
    switch (current) {
      case "SETTING": {
        clock.deadlineAt = Date.now() + durations.settingSeconds * 1000;
        const roots = [...teams.values()].filter(isRoot).map((team) => team.id);
        endReason = (await draftTeams("SETTING", roots)).reason;
        break;
      }
      case "CASCADE": {
        const ready = resuming
          ? (checkpoint?.readyTeamIds ?? [])
          : [...teams.values()].filter(isRoot).flatMap((team) => childrenOf.get(team.id) ?? []);
        const outcome = await draftTeams("CASCADE", ready);
        if (outcome.remaining.length > 0) {
          await condition(allHandlersFinished);
          const next: CycleCheckpoint = {
            phase: "CASCADE",
            readyTeamIds: outcome.remaining,
            teams: teamCounts,
            phaseLog,
            paused: clock.paused,
            ...(clock.pausedReason ? { pausedReason: clock.pausedReason } : {}),
            runs: (checkpoint?.runs ?? 0) + 1,
          };
          return continueAsNew<typeof cycleWorkflow>({ ...input, checkpoint: next });
        }
        endReason = outcome.reason;
        break;
      }
      case "CHECK_INS": {
        endReason = await runCheckIns({
          ...phaseContext,
          calendar,
          counts: checkIns,
          midCycleReminders: () => leaderReminders("mid-cycle-review"),
        });
        break;
      }
      case "SCORING": {
        ({ reason: endReason, grading } = await runScoring({ ...phaseContext, counts: scoring }));
        break;
      }
      case "RETROSPECTIVE": {
        ({ reason: endReason, report } = await runRetrospective({
          ...phaseContext,
          teams: teams.size,
          grading,
          leaderReminders: (include, round) => leaderReminders("retrospective", include, round),
        }));
        break;
      }
      case "CLOSED":
        break;
    }
  }
  describe();
  return { status: status(), report: report as CycleReport };

  function leaderReminders(
    action: "mid-cycle-review" | "retrospective",
    include: (team: TeamRef) => boolean = () => true,
    round = "opened",
  ): ReminderRequest[] {
    const dueAt = new Date(clock.deadlineAt ?? Date.now()).toISOString();
    return [...teams.values()].filter(include).flatMap((team) =>
      team.leaderIds.map((leaderId) => ({
        key: `${action}/${round}/${team.id}/${leaderId}`,
        phase,
        action,
        recipient: { kind: "person" as const, id: leaderId },
        dueAt,
        escalation: false,
        message:
          action === "retrospective"
            ? `Write the retrospective of team ${team.name} for ${calendar.name}: what went well, what did not, lessons, key results to carry forward.`
            : `Mid-cycle review of ${calendar.name} for team ${team.name}: look at the pace of your key results and adjust.`,
        teamId: team.id,
      })),
    );
  }

  async function remind(reminders: ReminderRequest[]): Promise<number> {
    let sent = 0;
    for (let start = 0; start < reminders.length; start += REMINDER_BATCH) {
      try {
        sent += await activities.publishReminders({
          ...ref,
          workflowId,
          reminders: reminders.slice(start, start + REMINDER_BATCH),
        });
      } catch (error) {
        log.warn("reminders not published", { error: String(error) });
      }
    }
    return sent;
  }
}

type ControlArg = { action: "pause" | "resume" | "close" } | { action: "extend"; seconds: number };
