import type { CycleRef, EssentialStep, GradingSummary, ReminderRequest } from "./activities.ts";
import type { CycleReport, PhaseChange, PhaseDurations, TeamRef } from "./api.ts";
import { lookUntilDeadline, type PhaseClock } from "./clock.ts";
import { buildCycleReport, carryForward } from "./report.ts";

/**
 * RETROSPECTIVE: asks every team's leaders for a retrospective, looks for them every
 * `retrospectivePollSeconds` (at the second look reminding the teams still without one, once) until
 * every team wrote one, the deadline passes or an admin advances; then proposes the next cycle with the
 * unfinished key results carried forward and builds the cycle's report.
 */
export async function runRetrospective(context: {
  ref: CycleRef;
  workflowId: string;
  durations: Required<Pick<PhaseDurations, "retrospectiveSeconds" | "retrospectivePollSeconds">>;
  clock: PhaseClock;
  teams: number;
  grading: GradingSummary | undefined;
  essential: EssentialStep;
  /** Reminders to the leaders of the teams `include` keeps (all by default), keyed by `round`. */
  leaderReminders: (include?: (team: TeamRef) => boolean, round?: string) => ReminderRequest[];
  remind: (reminders: ReminderRequest[]) => Promise<number>;
  advanceRequested: () => boolean;
}): Promise<{ reason: PhaseChange["reason"]; report: CycleReport }> {
  const { ref, workflowId, durations, clock, grading, essential } = context;
  clock.deadlineAt = Date.now() + durations.retrospectiveSeconds * 1000;
  await context.remind(context.leaderReminders());
  const { reason, last: retrospectives } = await lookUntilDeadline(clock, {
    everySeconds: durations.retrospectivePollSeconds,
    look: () => essential("collecting retrospectives", (via) => via.collectRetrospectives(ref)),
    done: (found) => new Set(found.teamIds).size >= context.teams,
    advanceRequested: context.advanceRequested,
    betweenLooks: async (found, look) => {
      if (look !== 1) return;
      const written = new Set(found.teamIds);
      await context.remind(context.leaderReminders((team) => !written.has(team.id), "reminder"));
    },
  });
  const carried = carryForward(grading, retrospectives);
  const next = await essential("proposing the next cycle", (via) =>
    via.proposeNextCycle({ ...ref, workflowId, carryForwardKeyResultIds: carried }),
  );
  const report = buildCycleReport({
    cycleId: ref.cycleId,
    grading,
    retrospectives,
    teams: context.teams,
    next,
  });
  return { reason, report };
}
