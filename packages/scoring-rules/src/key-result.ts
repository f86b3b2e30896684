import { keyResultNumberViolations } from "@okr/goals-domain";
import {
  assertValidCheckIn,
  checkInError,
  confidenceTrend,
  isLaterCheckIn,
  keepLatest,
} from "./check-ins.ts";
import { ScoringError } from "./errors.ts";
import { assertValidPolicy, DEFAULT_SCORING_POLICY, type ScoringPolicy } from "./policy.ts";
import type {
  BandKeyResult,
  CheckIn,
  KeyResultDefinition,
  KeyResultScore,
  MilestoneKeyResult,
} from "./types.ts";

/** Clamps raw progress to a score in 0.0-1.0 (overshoot scores 1, regression scores 0). */
export function clampScore(progress: number): number {
  if (Number.isNaN(progress))
    throw new ScoringError("invalid-score", "Progress is NaN; it cannot be scored.");
  return Math.min(Math.max(progress, 0), 1);
}

/**
 * Scores one key result from its SET of check-ins under a policy: check-ins recorded after `asOf` are
 * ignored, and the latest remaining one (by recordedAt, then id) is "current".
 */
export function scoreKeyResult(
  definition: KeyResultDefinition,
  checkIns: readonly CheckIn[],
  policy: ScoringPolicy = DEFAULT_SCORING_POLICY,
  asOf: number = Number.POSITIVE_INFINITY,
): KeyResultScore {
  return scoreKeyResultUnderPolicy(definition, checkIns, assertValidPolicy(policy), asOf);
}

/** Throws a ScoringError naming the KR unless its definition can be scored (no degenerate targets or bands). */
export function assertValidKeyResult(definition: KeyResultDefinition): void {
  if (typeof definition.id !== "string" || definition.id === "") {
    throw new ScoringError("invalid-key-result", "A key result has no id.");
  }
  const subject = `Key result "${definition.id}" (${definition.type})`;
  // What goals accepts as a KR's numbers is what can be scored: the one rule lives in goals-domain.
  const [outOfRange] = keyResultNumberViolations(numbersOf(definition));
  if (outOfRange) throw new ScoringError("invalid-key-result", `${subject}: ${outOfRange.message}.`);
  switch (definition.type) {
    case "increase-to":
    case "decrease-to": {
      const { baseline, target } = definition;
      if (!Number.isFinite(baseline) || !Number.isFinite(target)) {
        throw new ScoringError("invalid-key-result", `${subject} needs finite baseline and target numbers.`);
      }
      if (!Number.isFinite(target - baseline)) {
        throw new ScoringError(
          "invalid-key-result",
          `${subject} has baseline and target too far apart; rescale.`,
        );
      }
      if (target === baseline) {
        throw new ScoringError("invalid-key-result", `${subject} has target equal to baseline (${target}).`);
      }
      // A "rising" KR whose target is below its baseline is almost always a mistyped definition.
      if (definition.type === "increase-to" && target < baseline) {
        throw new ScoringError("invalid-key-result", `${subject} needs target > baseline; use decrease-to.`);
      }
      if (definition.type === "decrease-to" && target > baseline) {
        throw new ScoringError("invalid-key-result", `${subject} needs target < baseline; use increase-to.`);
      }
      return;
    }
    case "stay-above":
    case "stay-below":
      if (!Number.isFinite(definition.threshold)) {
        throw new ScoringError("invalid-key-result", `${subject} needs a finite threshold.`);
      }
      return;
    case "stay-between":
      if (!Number.isFinite(definition.low) || !Number.isFinite(definition.high)) {
        throw new ScoringError("invalid-key-result", `${subject} needs finite low and high bounds.`);
      }
      if (definition.low > definition.high) {
        throw new ScoringError(
          "invalid-key-result",
          `${subject} has low ${definition.low} above high ${definition.high}.`,
        );
      }
      return;
    case "milestone":
      assertValidMilestones(definition, subject);
      return;
    default:
      throw new ScoringError(
        "invalid-key-result",
        `Key result "${(definition as { id: string }).id}" has unknown type "${(definition as { type: string }).type}".`,
      );
  }
}

/** A definition's numbers as goals names them (a band's low and high, a threshold as the target). */
function numbersOf(definition: KeyResultDefinition) {
  const none = { baseline: null, target: null, bandLow: null, bandHigh: null };
  switch (definition.type) {
    case "increase-to":
    case "decrease-to":
      return { ...none, baseline: definition.baseline, target: definition.target };
    case "stay-above":
    case "stay-below":
      return { ...none, target: definition.threshold };
    case "stay-between":
      return { ...none, bandLow: definition.low, bandHigh: definition.high };
    default:
      return none;
  }
}

/** Scoring with an already validated policy; the batch scorer calls this once per KR. */
export function scoreKeyResultUnderPolicy(
  definition: KeyResultDefinition,
  checkIns: readonly CheckIn[],
  policy: ScoringPolicy,
  asOf: number,
): KeyResultScore {
  assertValidKeyResult(definition);
  if (Number.isNaN(asOf)) throw new ScoringError("invalid-cycle", "asOf is NaN; pass epoch milliseconds.");
  const isMilestone = definition.type === "milestone";
  const knownMilestones = definition.type === "milestone" ? new Set(definition.milestones) : undefined;
  const seenIds = checkIns.length > 1 ? new Set<string>() : undefined;
  const latestConfidences: CheckIn[] = [];
  let counted = 0;
  let latestMeasured: CheckIn | undefined;
  let measuredCount = 0;
  let insideCount = 0;

  for (const checkIn of checkIns) {
    assertValidCheckIn(checkIn, definition.id);
    assertMeasurementFits(checkIn, definition, knownMilestones);
    if (seenIds !== undefined) {
      if (seenIds.has(checkIn.id)) {
        throw checkInError(checkIn, definition.id, "appears twice; check-in ids must be unique");
      }
      seenIds.add(checkIn.id);
    }
    if (checkIn.recordedAt > asOf) continue;
    counted++;
    const measurement = isMilestone ? checkIn.completedMilestones : checkIn.value;
    if (measurement !== undefined) {
      measuredCount++;
      if (latestMeasured === undefined || isLaterCheckIn(checkIn, latestMeasured)) latestMeasured = checkIn;
      if (checkIn.value !== undefined && isBand(definition) && isInsideBand(definition, checkIn.value)) {
        insideCount++;
      }
    }
    if (checkIn.confidence !== undefined) {
      keepLatest(latestConfidences, checkIn, policy.confidenceTrendWindow);
    }
  }

  let progress: number;
  let currentValue: number | null;
  switch (definition.type) {
    // With no measurement yet a metric KR sits at its baseline, i.e. progress 0. Both formulas keep a
    // positive denominator, so progress is never -0.
    case "increase-to":
      currentValue = latestMeasured?.value ?? definition.baseline;
      progress = (currentValue - definition.baseline) / (definition.target - definition.baseline);
      break;
    case "decrease-to":
      currentValue = latestMeasured?.value ?? definition.baseline;
      progress = (definition.baseline - currentValue) / (definition.baseline - definition.target);
      break;
    case "stay-above":
    case "stay-below":
    case "stay-between": {
      currentValue = latestMeasured?.value ?? null;
      if (policy.bandRule === "share-inside") {
        progress = measuredCount === 0 ? 0 : insideCount / measuredCount;
      } else {
        progress = currentValue !== null && isInsideBand(definition, currentValue) ? 1 : 0;
      }
      break;
    }
    case "milestone": {
      const done = new Set(latestMeasured?.completedMilestones).size;
      currentValue = done;
      const total = definition.milestones.length;
      progress = policy.milestoneRule === "all-or-nothing" ? (done === total ? 1 : 0) : done / total;
      break;
    }
  }

  if (!Number.isFinite(progress)) {
    throw new ScoringError(
      "invalid-key-result",
      `Key result "${definition.id}" overflows: its values are too large to compute progress; rescale the unit.`,
    );
  }
  const readings = latestConfidences.map((checkIn) => checkIn.confidence!);
  return {
    keyResultId: definition.id,
    progress,
    score: clampScore(progress),
    currentValue,
    latestCheckInId: latestMeasured?.id ?? null,
    checkInCount: counted,
    confidence: readings.length > 0 ? readings[readings.length - 1]! : null,
    confidenceTrend: confidenceTrend(readings),
  };
}

function isBand(definition: KeyResultDefinition): definition is BandKeyResult {
  return (
    definition.type === "stay-above" || definition.type === "stay-below" || definition.type === "stay-between"
  );
}

/** Bands are closed: a value equal to a threshold or bound counts as inside. */
export function isInsideBand(definition: BandKeyResult, value: number): boolean {
  switch (definition.type) {
    case "stay-above":
      return value >= definition.threshold;
    case "stay-below":
      return value <= definition.threshold;
    case "stay-between":
      return value >= definition.low && value <= definition.high;
  }
}

/** Rejects a measurement of the wrong kind for the KR type, and milestone names the KR does not define. */
function assertMeasurementFits(
  checkIn: CheckIn,
  definition: KeyResultDefinition,
  knownMilestones: ReadonlySet<string> | undefined,
): void {
  if (knownMilestones === undefined) {
    if (checkIn.completedMilestones !== undefined) {
      throw checkInError(
        checkIn,
        definition.id,
        `reports milestones on a ${definition.type} KR; report a value`,
      );
    }
    return;
  }
  if (checkIn.value !== undefined) {
    throw checkInError(checkIn, definition.id, "gives a value to a milestone KR; report completedMilestones");
  }
  const completed = checkIn.completedMilestones;
  if (completed === undefined) return;
  if (!Array.isArray(completed)) {
    throw checkInError(checkIn, definition.id, "must list completedMilestones as an array of names");
  }
  for (const milestone of completed) {
    if (!knownMilestones.has(milestone)) {
      throw checkInError(checkIn, definition.id, `completes "${milestone}", which the KR does not define`);
    }
  }
}

function assertValidMilestones(definition: MilestoneKeyResult, subject: string): void {
  if (!Array.isArray(definition.milestones) || definition.milestones.length === 0) {
    throw new ScoringError("invalid-key-result", `${subject} needs at least one milestone.`);
  }
  const seen = new Set<string>();
  for (const milestone of definition.milestones) {
    if (typeof milestone !== "string" || milestone === "") {
      throw new ScoringError("invalid-key-result", `${subject} has a milestone without a name.`);
    }
    if (seen.has(milestone))
      throw new ScoringError("invalid-key-result", `${subject} lists "${milestone}" twice.`);
    seen.add(milestone);
  }
}
