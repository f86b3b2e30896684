import type { RuleViolation, Verdict } from "@okr/goals-domain";
import { conflict, type Problem, unprocessable } from "@okr/service-kit";

/** Turns broken domain rules into one 422 problem listing each of them (message, hint, field). */
export function rejectIf(errors: readonly RuleViolation[]): void {
  const [first] = errors;
  if (!first) return;
  throw unprocessable(
    first.code,
    errors.map((e) => (e.hint ? `${e.message} (${e.hint})` : e.message)).join("; "),
    {
      errors: errors.map(({ code, message, hint, path }) => ({
        code,
        message,
        ...(hint ? { hint } : {}),
        path: path ?? "/",
      })),
    },
  );
}

/** Errors reject; warnings travel with the successful answer. */
export function applyVerdict(verdict: Verdict): { code: string; message: string; hint?: string }[] {
  rejectIf(verdict.errors);
  return verdict.warnings.map(({ code, message, hint }) => ({ code, message, ...(hint ? { hint } : {}) }));
}

/** A write the resource's current state forbids (a locked cycle, an impossible transition). */
export function conflictOn(violation: RuleViolation): Problem {
  const problem = conflict(
    violation.code,
    violation.hint ? `${violation.message} (${violation.hint})` : violation.message,
  );
  return problem;
}

export const cycleGraded = () =>
  conflict("cycle-graded", "the cycle's final grades are frozen; it takes no more check-ins");

export const cycleLocked = (phase: string) =>
  conflict("cycle-locked", `the cycle is in ${phase}; its objectives and key results are locked`);
