import { ScoringError } from "./errors.ts";

/** How band KRs (stay-above/below/between) turn into progress. */
export const BAND_RULES = ["current-inside", "share-inside"] as const;
export type BandRule = (typeof BAND_RULES)[number];

/** How milestone KRs turn into progress. */
export const MILESTONE_RULES = ["fraction", "all-or-nothing"] as const;
export type MilestoneRule = (typeof MILESTONE_RULES)[number];

export const ROLLUP_MODES = ["own-krs-only", "blend-children"] as const;
export type RollupMode = (typeof ROLLUP_MODES)[number];

/** Whether a parent objective's score blends in its aligned/contributing children, and how much. */
export type RollupRule =
  | { readonly mode: "own-krs-only" }
  | { readonly mode: "blend-children"; readonly childShare: number };

/** A named, versioned set of scoring choices for one organization. */
export interface ScoringPolicy {
  readonly id: string;
  /** Positive integer; bump it whenever any other field changes. */
  readonly version: number;
  readonly bandRule: BandRule;
  readonly milestoneRule: MilestoneRule;
  /** At risk when expected progress minus score exceeds this (0.0-1.0). */
  readonly atRiskProgressGap: number;
  /** At risk when the latest confidence is below this (0.0-1.0). */
  readonly atRiskConfidence: number;
  /** How many of the latest confidence readings the trend is fitted over (2-100). */
  readonly confidenceTrendWindow: number;
  readonly rollup: RollupRule;
}

export const DEFAULT_SCORING_POLICY: ScoringPolicy = Object.freeze({
  id: "default",
  version: 1,
  bandRule: "current-inside",
  milestoneRule: "fraction",
  atRiskProgressGap: 0.2,
  atRiskConfidence: 0.5,
  confidenceTrendWindow: 3,
  rollup: Object.freeze({ mode: "own-krs-only" }),
});

export type PolicyValidation =
  | { readonly valid: true; readonly policy: ScoringPolicy }
  | { readonly valid: false; readonly problems: readonly string[] };

const POLICY_KEYS: ReadonlySet<string> = new Set(Object.keys(DEFAULT_SCORING_POLICY));
const MAX_TREND_WINDOW = 100;

/** Checks an untrusted value against the ScoringPolicy shape and ranges, listing every problem found. */
export function validatePolicy(candidate: unknown): PolicyValidation {
  if (!isRecord(candidate)) return { valid: false, problems: ["policy must be an object"] };
  const problems: string[] = [];
  for (const key of Object.keys(candidate)) {
    // Unknown keys are rejected so a typo cannot silently fall back to a default.
    if (!POLICY_KEYS.has(key)) problems.push(`unknown field "${key}"`);
  }
  const p = candidate;
  if (typeof p["id"] !== "string" || p["id"].trim() === "") problems.push("id must be a non-empty string");
  if (!Number.isSafeInteger(p["version"]) || (p["version"] as number) < 1) {
    problems.push("version must be a positive integer");
  }
  checkOneOf(problems, "bandRule", p["bandRule"], BAND_RULES);
  checkOneOf(problems, "milestoneRule", p["milestoneRule"], MILESTONE_RULES);
  checkUnitInterval(problems, "atRiskProgressGap", p["atRiskProgressGap"]);
  checkUnitInterval(problems, "atRiskConfidence", p["atRiskConfidence"]);
  const window = p["confidenceTrendWindow"];
  if (!Number.isSafeInteger(window) || (window as number) < 2 || (window as number) > MAX_TREND_WINDOW) {
    problems.push(`confidenceTrendWindow must be an integer from 2 to ${MAX_TREND_WINDOW}`);
  }
  checkRollup(problems, p["rollup"]);
  if (problems.length > 0) return { valid: false, problems };
  return { valid: true, policy: candidate as unknown as ScoringPolicy };
}

/** Returns the policy when valid, otherwise throws a ScoringError listing every problem. */
export function assertValidPolicy(candidate: unknown): ScoringPolicy {
  const result = validatePolicy(candidate);
  if (result.valid) return result.policy;
  throw new ScoringError("invalid-policy", `Invalid scoring policy: ${result.problems.join("; ")}.`);
}

/**
 * A deterministic string identifying every choice in the policy (canonical JSON, keys sorted), stored
 * with final grades so they can be recomputed under exactly the same rules.
 */
export function policyFingerprint(policy: ScoringPolicy): string {
  return canonicalJson(assertValidPolicy(policy));
}

/** JSON with object keys sorted at every level, so equal values always serialize identically. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (isRecord(value)) {
    const entries = Object.keys(value)
      .filter((key) => value[key] !== undefined)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`);
    return `{${entries.join(",")}}`;
  }
  return JSON.stringify(value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function checkOneOf(problems: string[], field: string, value: unknown, allowed: readonly string[]): void {
  if (typeof value !== "string" || !allowed.includes(value)) {
    problems.push(`${field} must be one of ${allowed.map((a) => `"${a}"`).join(", ")}`);
  }
}

function checkUnitInterval(problems: string[], field: string, value: unknown): void {
  if (typeof value !== "number" || !(value >= 0 && value <= 1)) {
    problems.push(`${field} must be a number from 0 to 1`);
  }
}

function checkRollup(problems: string[], rollup: unknown): void {
  if (!isRecord(rollup)) {
    problems.push('rollup must be { mode: "own-krs-only" } or { mode: "blend-children", childShare }');
    return;
  }
  if (rollup["mode"] === "own-krs-only") {
    if (Object.keys(rollup).some((key) => key !== "mode"))
      problems.push("rollup own-krs-only takes no other field");
  } else if (rollup["mode"] === "blend-children") {
    if (Object.keys(rollup).some((key) => key !== "mode" && key !== "childShare")) {
      problems.push("rollup blend-children takes only mode and childShare");
    }
    checkUnitInterval(problems, "rollup.childShare", rollup["childShare"]);
  } else {
    problems.push(`rollup.mode must be one of ${ROLLUP_MODES.map((m) => `"${m}"`).join(", ")}`);
  }
}
