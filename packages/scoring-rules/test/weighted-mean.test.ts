import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { exactSum, ScoringError, scoreObjective, weightedMean } from "../src/index.ts";

const score = fc.double({ min: 0, max: 1, noNaN: true });
const weight = fc.double({ min: 1e-3, max: 1e3, noNaN: true });
const weightedScores = fc.array(fc.tuple(score, weight), { minLength: 1, maxLength: 40 });
// Products that fall below 2^-1022 (subnormal) lose bits, so exact scaling identities
// need scores above 2^-900; no real progress ratio is that small.
const normalScore = score.map((value) => (value < 2 ** -900 ? 0 : value));
const normalWeightedScores = fc.array(fc.tuple(normalScore, weight), { minLength: 1, maxLength: 40 });

describe("weightedMean worked examples", () => {
  it("weights each value", () => {
    expect(weightedMean([1, 0.4], [3, 1])).toBeCloseTo(0.85, 15);
    expect(scoreObjective([{ score: 1, weight: 3 }, { score: 0.4 }])).toBeCloseTo(0.85, 15);
    expect(scoreObjective([{ score: 0.2 }, { score: 0.5 }, { score: 0.8 }])).toBeCloseTo(0.5, 15);
  });

  it("rejects empty input and weights that are not > 0", () => {
    expect(() => weightedMean([])).toThrow(ScoringError);
    expect(() => weightedMean([0.5], [0])).toThrow(/weights must be finite and > 0/);
    expect(() => weightedMean([0.5], [-1])).toThrow(ScoringError);
    expect(() => weightedMean([0.5, 0.5], [1])).toThrow(/one weight per value/);
    expect(() => scoreObjective([])).toThrow(/at least one key result/);
    expect(() => scoreObjective([{ score: 1.5 }])).toThrow(/outside 0-1/);
  });

  it("sums exactly where naive addition loses digits", () => {
    expect(exactSum([1e16, 1, -1e16])).toBe(1);
    expect(exactSum([0.1, 0.2, 0.3])).toBe(0.6);
  });
});

describe("weighted mean identities", () => {
  it("equal weights give the arithmetic mean", () => {
    fc.assert(
      fc.property(fc.array(score, { minLength: 1, maxLength: 40 }), (values) => {
        const arithmetic = values.reduce((sum, value) => sum + value, 0) / values.length;
        expect(weightedMean(values)).toBeCloseTo(arithmetic, 12);
        // Any common weight gives the same mean; a power of two keeps the products exact.
        expect(
          weightedMean(
            values,
            values.map(() => 4),
          ),
        ).toBe(weightedMean(values));
        expect(
          weightedMean(
            values,
            values.map(() => 7),
          ),
        ).toBeCloseTo(weightedMean(values), 12);
      }),
    );
  });

  it("scaling every weight by the same factor changes nothing", () => {
    fc.assert(
      fc.property(
        normalWeightedScores,
        fc.integer({ min: -20, max: 20 }),
        weight,
        (pairs, exponent, factor) => {
          const values = pairs.map(([value]) => value);
          const weights = pairs.map(([, w]) => w);
          const mean = weightedMean(values, weights);
          // A power-of-two factor scales exactly, so the mean must be bit-for-bit identical.
          expect(
            weightedMean(
              values,
              weights.map((w) => w * 2 ** exponent),
            ),
          ).toBe(mean);
          expect(
            weightedMean(
              values,
              weights.map((w) => w * factor),
            ),
          ).toBeCloseTo(mean, 12);
        },
      ),
    );
  });

  it("lies between the smallest and largest value", () => {
    fc.assert(
      fc.property(weightedScores, (pairs) => {
        const values = pairs.map(([value]) => value);
        const mean = weightedMean(
          values,
          pairs.map(([, w]) => w),
        );
        expect(mean).toBeGreaterThanOrEqual(Math.min(...values));
        expect(mean).toBeLessThanOrEqual(Math.max(...values));
      }),
    );
  });

  it("does not depend on the order of the values", () => {
    fc.assert(
      fc.property(weightedScores, fc.nat(), (pairs, rotation) => {
        const turned = [...pairs.slice(rotation % pairs.length), ...pairs.slice(0, rotation % pairs.length)];
        const reversed = pairs.toReversed();
        const mean = (list: typeof pairs) =>
          weightedMean(
            list.map(([v]) => v),
            list.map(([, w]) => w),
          );
        expect(mean(turned)).toBe(mean(pairs));
        expect(mean(reversed)).toBe(mean(pairs));
      }),
    );
  });
});
