import { ok, type RuleViolation, type Verdict } from "./rules.ts";

/** How a limit is enforced: "warn" lets the write through with a warning, "reject" refuses it. */
export type Enforcement = "warn" | "reject";

export interface CountLimit {
  min: number;
  max: number;
  enforcement: Enforcement;
}

export interface CheckInCadence {
  /** 0 = Sunday ... 6 = Saturday, in the cycle's time zone. */
  weekday: number;
  hour: number;
  everyDays: number;
}

/** An organization's OKR policy: the method's limits, its scoring policy and its check-in cadence. */
export interface OkrPolicy {
  objectivesPerOwner: CountLimit;
  keyResultsPerObjective: CountLimit;
  scoringPolicyId: string;
  checkInCadence: CheckInCadence;
}

/** The method's defaults: 3-5 objectives per owner, 2-5 key results per objective, weekly Monday check-ins. */
export const DEFAULT_POLICY: OkrPolicy = {
  objectivesPerOwner: { min: 3, max: 5, enforcement: "reject" },
  keyResultsPerObjective: { min: 2, max: 5, enforcement: "reject" },
  scoringPolicyId: "default",
  checkInCadence: { weekday: 1, hour: 9, everyDays: 7 },
};

export function validateCadence(cadence: CheckInCadence, path = "/checkInCadence"): RuleViolation[] {
  const errors: RuleViolation[] = [];
  if (!Number.isInteger(cadence.weekday) || cadence.weekday < 0 || cadence.weekday > 6)
    errors.push({
      code: "cadence-weekday",
      message: "weekday must be 0 (Sunday) to 6 (Saturday)",
      path: `${path}/weekday`,
    });
  if (!Number.isInteger(cadence.hour) || cadence.hour < 0 || cadence.hour > 23)
    errors.push({ code: "cadence-hour", message: "hour must be 0 to 23", path: `${path}/hour` });
  if (!Number.isInteger(cadence.everyDays) || cadence.everyDays < 1 || cadence.everyDays > 90)
    errors.push({
      code: "cadence-every-days",
      message: "everyDays must be 1 to 90",
      path: `${path}/everyDays`,
    });
  return errors;
}

/** A policy is coherent when every limit has 1 <= min <= max and the cadence is a real schedule. */
export function validatePolicy(policy: OkrPolicy): RuleViolation[] {
  const errors: RuleViolation[] = [];
  const limits = [
    ["objectivesPerOwner", policy.objectivesPerOwner, 20],
    ["keyResultsPerObjective", policy.keyResultsPerObjective, 20],
  ] as const;
  for (const [name, limit, ceiling] of limits) {
    if (!Number.isInteger(limit.min) || !Number.isInteger(limit.max) || limit.min < 1 || limit.max > ceiling)
      errors.push({
        code: "policy-limit-range",
        message: `${name} limits must be whole numbers between 1 and ${ceiling}`,
        path: `/${name}`,
      });
    else if (limit.min > limit.max)
      errors.push({
        code: "policy-limit-order",
        message: `${name}.min must not exceed ${name}.max`,
        path: `/${name}`,
      });
  }
  if (!policy.scoringPolicyId.trim())
    errors.push({
      code: "policy-scoring-id",
      message: "scoringPolicyId must not be blank",
      path: "/scoringPolicyId",
    });
  return [...errors, ...validateCadence(policy.checkInCadence)];
}

/**
 * A count against its limit: under `min` breaches with `tooFew` (left out where only the maximum is
 * checked, as when one more is added), over `max` with `tooMany`; a breach becomes an error ("reject")
 * or a warning ("warn").
 */
export function enforceCount(
  limit: CountLimit,
  count: number,
  breaches: { tooFew?: RuleViolation; tooMany: RuleViolation },
): Verdict {
  const breach =
    breaches.tooFew && count < limit.min ? breaches.tooFew : count > limit.max ? breaches.tooMany : undefined;
  const verdict = ok();
  if (!breach) return verdict;
  if (limit.enforcement === "reject") verdict.errors.push(breach);
  else verdict.warnings.push(breach);
  return verdict;
}
