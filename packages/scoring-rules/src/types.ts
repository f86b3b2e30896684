/** Every supported key result type, in a stable order: the goals domain's own. */
export { KEY_RESULT_TYPES, type KeyResultType } from "@okr/goals-domain";

/** A metric that should rise from `baseline` to `target` (target > baseline). */
export interface IncreaseToKeyResult {
  readonly id: string;
  readonly type: "increase-to";
  readonly baseline: number;
  readonly target: number;
}

/** A metric that should fall from `baseline` to `target` (target < baseline). */
export interface DecreaseToKeyResult {
  readonly id: string;
  readonly type: "decrease-to";
  readonly baseline: number;
  readonly target: number;
}

/** A metric that should stay at or above `threshold`. */
export interface StayAboveKeyResult {
  readonly id: string;
  readonly type: "stay-above";
  readonly threshold: number;
}

/** A metric that should stay at or below `threshold`. */
export interface StayBelowKeyResult {
  readonly id: string;
  readonly type: "stay-below";
  readonly threshold: number;
}

/** A metric that should stay inside the closed band [low, high]. */
export interface StayBetweenKeyResult {
  readonly id: string;
  readonly type: "stay-between";
  readonly low: number;
  readonly high: number;
}

/** A deliverable made of named milestones; check-ins report which are done. */
export interface MilestoneKeyResult {
  readonly id: string;
  readonly type: "milestone";
  readonly milestones: readonly string[];
}

export type BandKeyResult = StayAboveKeyResult | StayBelowKeyResult | StayBetweenKeyResult;

export type KeyResultDefinition =
  | IncreaseToKeyResult
  | DecreaseToKeyResult
  | BandKeyResult
  | MilestoneKeyResult;

/**
 * One check-in on a key result. Metric and band KRs read `value`, milestone KRs read
 * `completedMilestones`; a check-in may carry only `confidence` (an owner's update without a new
 * measurement).
 */
export interface CheckIn {
  readonly id: string;
  /** Epoch milliseconds; the latest check-in (ties: the greatest id) is the "current" one. */
  readonly recordedAt: number;
  readonly value?: number;
  readonly completedMilestones?: readonly string[];
  /** The owner's confidence of reaching the KR, 0.0-1.0. */
  readonly confidence?: number;
}

/** The scored state of one key result. Confidence is reported beside the score, never mixed into it. */
export interface KeyResultScore {
  readonly keyResultId: string;
  /** Raw progress: may exceed 1 (overshoot) or fall below 0 (regression). */
  readonly progress: number;
  /** Progress clamped to 0.0-1.0. */
  readonly score: number;
  /** The current measurement: latest value (baseline when none yet), or milestones done; null for a band KR without values. */
  readonly currentValue: number | null;
  /** The check-in that supplied the current measurement. */
  readonly latestCheckInId: string | null;
  /** Check-ins taken into account (those recorded at or before "as of"). */
  readonly checkInCount: number;
  /** Confidence of the latest check-in that carries one. */
  readonly confidence: number | null;
  /** Least-squares slope of confidence per check-in over the policy's trend window; null below two points. */
  readonly confidenceTrend: number | null;
}
