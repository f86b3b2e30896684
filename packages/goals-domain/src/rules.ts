/**
 * A broken rule, phrased for the person who must fix it. `hint` says how; `path` names the field
 * (JSON pointer into the request) when one field is at fault.
 */
export interface RuleViolation {
  code: string;
  message: string;
  hint?: string;
  path?: string;
}

/** Some rules are warnings by policy: the write goes through, and the warnings travel with the answer. */
export interface Verdict {
  errors: RuleViolation[];
  warnings: RuleViolation[];
}

export const ok = (): Verdict => ({ errors: [], warnings: [] });

export const merge = (...verdicts: Verdict[]): Verdict => ({
  errors: verdicts.flatMap((v) => v.errors),
  warnings: verdicts.flatMap((v) => v.warnings),
});

export const violation = (
  code: string,
  message: string,
  extra: Omit<RuleViolation, "code" | "message"> = {},
) => ({
  code,
  message,
  ...extra,
});
