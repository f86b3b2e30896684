import { ScoringError } from "./errors.ts";
import type { ScoringPolicy } from "./policy.ts";

/** A scoring cycle in epoch milliseconds; `end` must be after `start`. */
export interface CycleWindow {
  readonly start: number;
  readonly end: number;
}

export type AtRiskReason = "behind-pace" | "low-confidence";

export interface RiskAssessment {
  readonly atRisk: boolean;
  readonly reasons: readonly AtRiskReason[];
}

/** Share of the cycle elapsed at `asOf`, 0 before the start and 1 after the end: the progress expected by then. */
export function expectedProgress(cycle: CycleWindow, asOf: number): number {
  if (!Number.isFinite(cycle.start) || !Number.isFinite(cycle.end) || !(cycle.end > cycle.start)) {
    throw new ScoringError(
      "invalid-cycle",
      `Cycle window ${cycle.start}..${cycle.end} is invalid; give finite epoch ms with end after start.`,
    );
  }
  if (!Number.isFinite(asOf))
    throw new ScoringError("invalid-cycle", `asOf ${asOf} is not a finite epoch ms.`);
  if (asOf <= cycle.start) return 0;
  if (asOf >= cycle.end) return 1;
  return (asOf - cycle.start) / (cycle.end - cycle.start);
}

/**
 * At risk when the score trails expected progress by more than the policy's gap, or the latest
 * confidence is below the policy's floor. No confidence reported means no confidence signal.
 */
export function assessRisk(
  score: number,
  confidence: number | null,
  expected: number,
  policy: ScoringPolicy,
): RiskAssessment {
  const reasons: AtRiskReason[] = [];
  if (expected - score > policy.atRiskProgressGap) reasons.push("behind-pace");
  if (confidence !== null && confidence < policy.atRiskConfidence) reasons.push("low-confidence");
  return { atRisk: reasons.length > 0, reasons };
}
