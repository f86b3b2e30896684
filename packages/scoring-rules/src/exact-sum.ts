import { ScoringError } from "./errors.ts";

/*
 * Means are built on exactly rounded sums (Shewchuk's partials, the algorithm behind Python's
 * math.fsum): the total is the true sum rounded once, so it does not depend on the order in which
 * items arrive. That is what makes roll-ups bit-for-bit invariant under input reordering without
 * sorting anything.
 */

/** Adds `x` to the partials in place; afterwards the partials still sum exactly to everything added. */
export function addExact(partials: number[], x: number): void {
  let kept = 0;
  let carry = x;
  for (let j = 0; j < partials.length; j++) {
    let small = partials[j]!;
    let big = carry;
    if (Math.abs(big) < Math.abs(small)) {
      const swap = big;
      big = small;
      small = swap;
    }
    const hi = big + small;
    const lo = small - (hi - big);
    if (lo !== 0) partials[kept++] = lo;
    carry = hi;
  }
  partials[kept] = carry;
  partials.length = kept + 1;
}

/** The exact sum held by the partials, correctly rounded to a double (half-even, like math.fsum). */
export function roundExact(partials: readonly number[]): number {
  let n = partials.length;
  if (n === 0) return 0;
  let hi = partials[--n]!;
  let lo = 0;
  while (n > 0) {
    const x = hi;
    const y = partials[--n]!;
    hi = x + y;
    lo = y - (hi - x);
    if (lo !== 0) break;
  }
  // Correct a half-way case that the partial below the break would tip the other way.
  const below = n > 0 ? partials[n - 1]! : 0;
  if ((lo < 0 && below < 0) || (lo > 0 && below > 0)) {
    const doubled = lo * 2;
    const candidate = hi + doubled;
    if (doubled === candidate - hi) hi = candidate;
  }
  return hi;
}

/** The exactly rounded sum of `values`, independent of their order. */
export function exactSum(values: Iterable<number>): number {
  const partials: number[] = [];
  for (const value of values) addExact(partials, value);
  return roundExact(partials);
}

/**
 * Weighted mean of `values` (all weights 1 when omitted). Weights must be finite and > 0. The result
 * is order-independent and always lies between the smallest and largest value.
 */
export function weightedMean(values: readonly number[], weights?: readonly number[]): number {
  if (values.length === 0) throw new ScoringError("invalid-score", "Cannot take the mean of no values.");
  if (weights !== undefined && weights.length !== values.length) {
    throw new ScoringError(
      "invalid-weight",
      `Got ${weights.length} weights for ${values.length} values; give one weight per value.`,
    );
  }
  const accumulator = new MeanAccumulator();
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    if (!Number.isFinite(value)) {
      throw new ScoringError("invalid-score", `Value ${value} at position ${i} is not a finite number.`);
    }
    const weight = weights === undefined ? 1 : weights[i]!;
    assertValidWeight(weight, `position ${i}`);
    accumulator.add(value, weight);
  }
  return accumulator.mean();
}

/** Throws unless `weight` is a finite number greater than 0. */
export function assertValidWeight(weight: number, subject: string): void {
  if (!(weight > 0) || !Number.isFinite(weight)) {
    throw new ScoringError(
      "invalid-weight",
      `Weight of ${subject} is ${weight}; weights must be finite and > 0.`,
    );
  }
}

/** Accumulates (value, weight) pairs for an order-independent weighted mean; inputs must be pre-validated. */
export class MeanAccumulator {
  private readonly weighted: number[] = [];
  private readonly totalWeight: number[] = [];
  private min = Number.POSITIVE_INFINITY;
  private max = Number.NEGATIVE_INFINITY;

  /** Adds one value with its (already validated) weight. */
  add(value: number, weight: number): void {
    addExact(this.weighted, value * weight);
    addExact(this.totalWeight, weight);
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
  }

  /** The weighted mean, clamped to [min, max] so rounding can never push it outside its inputs. */
  mean(): number {
    const mean = roundExact(this.weighted) / roundExact(this.totalWeight);
    if (!Number.isFinite(mean)) {
      throw new ScoringError(
        "invalid-weight",
        "Values times weights overflow; keep weights and values far below 1e300.",
      );
    }
    return Math.min(Math.max(mean, this.min), this.max);
  }
}
