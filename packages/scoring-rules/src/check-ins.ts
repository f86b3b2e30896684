import { ScoringError } from "./errors.ts";
import type { CheckIn } from "./types.ts";

/**
 * True when `a` is later than `b`: later `recordedAt`, ties broken by the greater id. A total order,
 * so "the latest check-in" depends only on the set of check-ins, never on the order they arrived in.
 */
export function isLaterCheckIn(a: CheckIn, b: CheckIn): boolean {
  return a.recordedAt > b.recordedAt || (a.recordedAt === b.recordedAt && a.id > b.id);
}

/**
 * How many of a milestone KR's `total` milestones a check-in reports done: its `milestonesDone`, else its
 * value, floored and kept within 0 and `total` (the first n milestones count as completed).
 */
export function milestonesDone(
  checkIn: { milestonesDone?: number | null; value: number },
  total: number,
): number {
  return Math.min(Math.max(Math.floor(checkIn.milestonesDone ?? checkIn.value), 0), total);
}

/** Throws unless the check-in's fields are well-formed (finite time and value, confidence in 0-1). */
export function assertValidCheckIn(checkIn: CheckIn, keyResultId: string): void {
  if (typeof checkIn.id !== "string" || checkIn.id === "") {
    throw new ScoringError("invalid-check-in", `A check-in on key result "${keyResultId}" has no id.`);
  }
  if (!Number.isFinite(checkIn.recordedAt)) {
    throw checkInError(checkIn, keyResultId, `has recordedAt ${checkIn.recordedAt}; use epoch ms`);
  }
  if (checkIn.value !== undefined && !Number.isFinite(checkIn.value)) {
    throw checkInError(checkIn, keyResultId, `has value ${checkIn.value}; use a finite number`);
  }
  const confidence = checkIn.confidence;
  if (confidence !== undefined && !(confidence >= 0 && confidence <= 1)) {
    throw checkInError(checkIn, keyResultId, `has confidence ${confidence}; use 0.0-1.0`);
  }
}

/** An invalid-check-in error naming the check-in and its key result (built only when thrown). */
export function checkInError(checkIn: CheckIn, keyResultId: string, problem: string): ScoringError {
  return new ScoringError(
    "invalid-check-in",
    `Check-in "${checkIn.id}" on key result "${keyResultId}" ${problem}.`,
  );
}

/**
 * Keeps the `capacity` latest check-ins seen so far, oldest first, in one pass (the capacity is small,
 * so insertion into a short sorted array beats sorting every check-in).
 */
export function keepLatest(latest: CheckIn[], checkIn: CheckIn, capacity: number): void {
  if (latest.length === capacity) {
    if (!isLaterCheckIn(checkIn, latest[0]!)) return;
    latest.shift();
  }
  let position = latest.length;
  while (position > 0 && isLaterCheckIn(latest[position - 1]!, checkIn)) position--;
  latest.splice(position, 0, checkIn);
}

/**
 * Least-squares slope of confidence per check-in (oldest first); with two readings it equals
 * last-minus-previous. Null for fewer than two readings.
 */
export function confidenceTrend(readings: readonly number[]): number | null {
  const n = readings.length;
  if (n < 2) return null;
  const meanIndex = (n - 1) / 2;
  let meanReading = 0;
  for (const reading of readings) meanReading += reading;
  meanReading /= n;
  let covariance = 0;
  let variance = 0;
  for (let i = 0; i < n; i++) {
    covariance += (i - meanIndex) * (readings[i]! - meanReading);
    variance += (i - meanIndex) * (i - meanIndex);
  }
  return covariance / variance;
}
