import { enforceCount, type OkrPolicy } from "./policy.ts";
import type { RuleViolation, Verdict } from "./rules.ts";

export const KEY_RESULT_TYPES = [
  "increase-to",
  "decrease-to",
  "stay-above",
  "stay-below",
  "stay-between",
  "milestone",
] as const;
export type KeyResultType = (typeof KEY_RESULT_TYPES)[number];

/** The evidence each check-in on this KR must carry: a link a person can open, a system source, or either. */
export type EvidenceKind = "url" | "system" | "any";

export interface KeyResultDefinition {
  title: string;
  type: KeyResultType;
  baseline: number | null;
  target: number | null;
  bandLow: number | null;
  bandHigh: number | null;
  milestones: string[];
  unit: string;
  weight: number;
  evidenceKind: EvidenceKind;
}

/** The fields of a key result's measure: its definition but the evidence it demands. */
type MeasureField = Exclude<keyof KeyResultDefinition, "evidenceKind">;

/**
 * A key result's measure (title, type, numbers, milestones, unit, weight) picked from a larger record (a
 * row, a view, an event), each field as that record types it: what a copy, a carry or an event keeps.
 */
export function keyResultMeasure<K extends Record<MeasureField, unknown>>(kr: K): Pick<K, MeasureField> {
  const { title, type, baseline, target, bandLow, bandHigh, milestones, unit, weight } = kr;
  return { title, type, baseline, target, bandLow, bandHigh, milestones, unit, weight };
}

const REWRITE_HINT =
  "rewrite the key result so that its completion can be measured: a number to reach (increase-to/decrease-to with baseline and target), a band to hold (stay-above/below with target, stay-between with bandLow and bandHigh) or a list of verifiable milestones";

const finite = (value: number | null): value is number => typeof value === "number" && Number.isFinite(value);

/**
 * The largest magnitude of a key result's numbers (baseline, target, band). Far beyond any real measure,
 * and small enough that every span between two of them, and the progress computed from it, stays a
 * finite number: goals refuses a KR outside it, and scoring refuses to score one by the same rule.
 */
export const MAX_KEY_RESULT_MAGNITUDE = 1e15;

const LIMIT = MAX_KEY_RESULT_MAGNITUDE.toExponential().replace("+", "");

export interface KeyResultNumbers {
  baseline: number | null;
  target: number | null;
  bandLow: number | null;
  bandHigh: number | null;
}

/** Each number a key result has must be finite and within ±MAX_KEY_RESULT_MAGNITUDE. */
export function keyResultNumberViolations(numbers: KeyResultNumbers): RuleViolation[] {
  const errors: RuleViolation[] = [];
  for (const field of ["baseline", "target", "bandLow", "bandHigh"] as const) {
    const value = numbers[field];
    if (value === null || value === undefined) continue;
    if (!Number.isFinite(value) || Math.abs(value) > MAX_KEY_RESULT_MAGNITUDE)
      errors.push({
        code: "key-result-number-range",
        message: `${field} must be a finite number between -${LIMIT} and ${LIMIT} (got ${value})`,
        hint: "measure in a larger unit (thousands, millions) so the numbers stay in range",
        path: `/${field}`,
      });
  }
  return errors;
}

/**
 * A key result must have measurable value (the method: rewrite OKRs without it). Each type names what
 * "measurable" means for it; a definition that lacks it is rejected with a hint to rewrite it.
 */
export function validateKeyResult(kr: KeyResultDefinition): RuleViolation[] {
  const errors: RuleViolation[] = [];
  const unmeasurable = (message: string, path: string) =>
    errors.push({ code: "key-result-not-measurable", message, hint: REWRITE_HINT, path });
  if (!kr.title.trim())
    errors.push({ code: "key-result-title", message: "title must not be blank", path: "/title" });
  if (!(kr.weight > 0) || !Number.isFinite(kr.weight))
    errors.push({ code: "key-result-weight", message: "weight must be a positive number", path: "/weight" });
  const outOfRange = keyResultNumberViolations(kr);
  if (outOfRange.length) return [...errors, ...outOfRange];
  switch (kr.type) {
    case "increase-to":
    case "decrease-to": {
      if (!finite(kr.target)) unmeasurable(`a ${kr.type} key result needs a numeric target`, "/target");
      if (!finite(kr.baseline))
        unmeasurable(`a ${kr.type} key result needs a numeric baseline to measure from`, "/baseline");
      if (finite(kr.target) && finite(kr.baseline)) {
        if (kr.type === "increase-to" && kr.target <= kr.baseline)
          errors.push({
            code: "key-result-direction",
            message: `increase-to needs target (${kr.target}) above baseline (${kr.baseline})`,
            hint: "use decrease-to to bring a number down",
            path: "/target",
          });
        if (kr.type === "decrease-to" && kr.target >= kr.baseline)
          errors.push({
            code: "key-result-direction",
            message: `decrease-to needs target (${kr.target}) below baseline (${kr.baseline})`,
            hint: "use increase-to to raise a number",
            path: "/target",
          });
      }
      break;
    }
    case "stay-above":
    case "stay-below":
      if (!finite(kr.target))
        unmeasurable(`a ${kr.type} key result needs a numeric target (the line to hold)`, "/target");
      break;
    case "stay-between":
      if (!finite(kr.bandLow) || !finite(kr.bandHigh))
        unmeasurable("a stay-between key result needs a numeric band (bandLow and bandHigh)", "/bandLow");
      else if (kr.bandLow > kr.bandHigh)
        errors.push({
          code: "key-result-band",
          message: "bandLow must not exceed bandHigh",
          path: "/bandLow",
        });
      break;
    case "milestone": {
      const names = kr.milestones.map((m) => m.trim());
      if (names.length === 0 || names.some((m) => !m))
        unmeasurable("a milestone key result needs a list of named, verifiable milestones", "/milestones");
      else if (new Set(names).size !== names.length)
        errors.push({
          code: "key-result-milestones-duplicate",
          message: "milestone names must be unique",
          path: "/milestones",
        });
      break;
    }
  }
  return errors;
}

/** The KR count limit: `max` is checked when a KR is added, `min` when the objective is submitted. */
export function checkKeyResultCountOnAdd(policy: OkrPolicy, existing: number): Verdict {
  const limit = policy.keyResultsPerObjective;
  return enforceCount(limit, existing + 1, {
    tooMany: {
      code: "too-many-key-results",
      message: `an objective has at most ${limit.max} key results (this would be ${existing + 1})`,
      hint: "keep the few results that prove the objective; move the rest to another objective or drop them",
    },
  });
}

export function checkKeyResultCountOnSubmit(policy: OkrPolicy, count: number): Verdict {
  const limit = policy.keyResultsPerObjective;
  return enforceCount(limit, count, {
    tooFew: {
      code: "too-few-key-results",
      message: `an objective needs at least ${limit.min} key results before it is submitted (it has ${count})`,
      hint: "add measurable key results that together show the objective is reached",
    },
    tooMany: {
      code: "too-many-key-results",
      message: `an objective has at most ${limit.max} key results (it has ${count})`,
    },
  });
}

/**
 * A key result carried into the next cycle: the whole definition (type, target, band, milestone names,
 * unit, weight, evidence) kept, starting from where it ended. A number to reach starts from its last
 * value while that still lies short of the target (a KR that got there keeps its baseline, or it would
 * no longer point at its target); a band to hold records its last value as the baseline. Milestones
 * start again not done: progress belongs to the check-ins of the cycle, never to the definition.
 */
export function carryForwardKeyResult(
  kr: KeyResultDefinition,
  lastValue: number | null,
): KeyResultDefinition {
  const carried = { ...kr, milestones: [...kr.milestones] };
  if (!finite(lastValue)) return carried;
  switch (kr.type) {
    case "increase-to":
      if (finite(kr.target) && lastValue < kr.target) carried.baseline = lastValue;
      break;
    case "decrease-to":
      if (finite(kr.target) && lastValue > kr.target) carried.baseline = lastValue;
      break;
    case "stay-above":
    case "stay-below":
    case "stay-between":
      carried.baseline = lastValue;
      break;
    case "milestone":
      break;
  }
  return carried;
}
