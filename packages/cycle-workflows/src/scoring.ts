import { patched } from "@temporalio/workflow";
import type { CycleRef, EssentialStep, GradingSummary } from "./activities.ts";
import type { CycleStatus, PhaseChange, PhaseDurations } from "./api.ts";
import { lookUntilDeadline, type PhaseClock } from "./clock.ts";
import { PATCHES } from "./patches.ts";

/**
 * SCORING: asks the scoring service for final grades every `scoringPollSeconds` until they are
 * complete, the deadline passes or an admin advances. v1 froze the first grading even if incomplete;
 * since `scoring-freezes-only-complete-grades` the attempts ask for a complete grading only and the
 * phase's end freezes whatever there is (late check-ins still count).
 */
export async function runScoring(context: {
  ref: CycleRef;
  durations: Required<Pick<PhaseDurations, "scoringSeconds" | "scoringPollSeconds">>;
  clock: PhaseClock;
  counts: CycleStatus["scoring"];
  essential: EssentialStep;
  advanceRequested: () => boolean;
}): Promise<{ reason: PhaseChange["reason"]; grading: GradingSummary }> {
  const { ref, durations, clock, counts, essential } = context;
  clock.deadlineAt = Date.now() + durations.scoringSeconds * 1000;
  const waitsForCompleteGrades = patched(PATCHES.freezeOnlyCompleteGrades);
  const attempt = waitsForCompleteGrades ? { ...ref, onlyIfComplete: true } : ref;
  const { reason, last } = await lookUntilDeadline(clock, {
    everySeconds: durations.scoringPollSeconds,
    look: async () => {
      const grading = await essential("asking for final grades", (via) => via.requestFinalGrades(attempt));
      counts.attempts++;
      counts.complete = grading.complete;
      counts.organizationScore = grading.organizationScore;
      return grading;
    },
    done: (grading) => grading.complete,
    advanceRequested: context.advanceRequested,
  });
  if (!waitsForCompleteGrades || last.complete) return { reason, grading: last };
  const frozen = await essential("freezing the final grades", (via) => via.requestFinalGrades(ref));
  counts.complete = frozen.complete;
  counts.organizationScore = frozen.organizationScore;
  return { reason, grading: frozen };
}
