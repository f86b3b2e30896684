import type { ObjectiveKind } from "@okr/goals-domain";
import { ScoringError } from "./errors.ts";

export type GradeColour = "red" | "yellow" | "green";
export type Verdict = "met" | "missed";

/** Success thresholds in tenths of a grade: committed objectives must reach 1.0, aspirational ones 0.7. */
const SUCCESS_TENTHS: Readonly<Record<ObjectiveKind, number>> = { committed: 10, aspirational: 7 };

// Absorbs binary noise so that a score meant as 0.35 (e.g. 0.7 / 2) still rounds half-up to 0.4.
const HALF_UP_TOLERANCE = 1e-9;

/** The score as a whole number of tenths (0-10), rounded half-up: 0.35 -> 4, 0.65 -> 7. */
function gradeTenths(score: number): number {
  if (!(score >= 0 && score <= 1)) {
    throw new ScoringError(
      "invalid-score",
      `Score ${score} is outside 0.0-1.0; clamp progress before grading.`,
    );
  }
  return Math.floor(score * 10 + 0.5 + HALF_UP_TOLERANCE);
}

/** The score reported to one decimal, as Google grades OKRs (0.35 -> 0.4, 0.65 -> 0.7). */
export function gradeOf(score: number): number {
  return gradeTenths(score) / 10;
}

/** Colour band of the one-decimal grade: red 0.0-0.3, yellow 0.4-0.6, green 0.7-1.0. */
export function colourOf(score: number): GradeColour {
  const tenths = gradeTenths(score);
  return tenths <= 3 ? "red" : tenths <= 6 ? "yellow" : "green";
}

/** "met" when the one-decimal grade reaches 1.0 (committed) or 0.7 (aspirational), else "missed". */
export function verdictFor(kind: ObjectiveKind, score: number): Verdict {
  const required = SUCCESS_TENTHS[kind];
  if (required === undefined) {
    throw new ScoringError(
      "invalid-objective",
      `Objective kind "${kind}" is neither committed nor aspirational.`,
    );
  }
  return gradeTenths(score) >= required ? "met" : "missed";
}
