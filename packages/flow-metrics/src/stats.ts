/** The q-quantile (0..1) by nearest rank of an ascending-sorted list; null when empty. */
export function percentileOfSorted(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1] as number;
}

export function mean(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  let sum = 0;
  for (const value of values) sum += value;
  return sum / values.length;
}

/** a / b, or null when the ratio means nothing (b is 0). */
export function ratio(a: number, b: number): number | null {
  return b > 0 ? a / b : null;
}

export const MINUTE_MS = 60_000;
export const DAY_MINUTES = 24 * 60;
