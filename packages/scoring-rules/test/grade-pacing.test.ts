import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  assessRisk,
  colourOf,
  DEFAULT_SCORING_POLICY,
  expectedProgress,
  gradeOf,
  ScoringError,
  verdictFor,
} from "../src/index.ts";

describe("grades and colour bands", () => {
  it("rounds to one decimal, half-up, and colours the rounded grade", () => {
    const table: [number, number, string][] = [
      [0, 0, "red"],
      [0.3, 0.3, "red"],
      [0.34, 0.3, "red"],
      [0.35, 0.4, "yellow"],
      [0.7 / 2, 0.4, "yellow"],
      [0.6, 0.6, "yellow"],
      [0.649, 0.6, "yellow"],
      [0.65, 0.7, "green"],
      [0.7, 0.7, "green"],
      [1, 1, "green"],
    ];
    for (const [score, grade, colour] of table) {
      expect([score, gradeOf(score), colourOf(score)]).toEqual([score, grade, colour]);
    }
  });

  it("rejects scores outside 0-1 instead of grading them", () => {
    expect(() => gradeOf(1.2)).toThrow(ScoringError);
    expect(() => colourOf(Number.NaN)).toThrow(/outside 0.0-1.0/);
  });

  it("grading a grade changes nothing", () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, noNaN: true }), (score) => {
        expect(gradeOf(gradeOf(score))).toBe(gradeOf(score));
      }),
    );
  });
});

describe("verdicts", () => {
  it("expects 1.0 from committed and 0.7 from aspirational objectives", () => {
    expect(verdictFor("committed", 1)).toBe("met");
    expect(verdictFor("committed", 0.96)).toBe("met"); // grades 1.0
    expect(verdictFor("committed", 0.9)).toBe("missed");
    expect(verdictFor("aspirational", 0.65)).toBe("met"); // grades 0.7
    expect(verdictFor("aspirational", 0.64)).toBe("missed");
  });
});

describe("pacing", () => {
  const cycle = { start: 1_000, end: 11_000 };

  it("expects the elapsed share of the cycle, bounded to 0-1", () => {
    expect(expectedProgress(cycle, 6_000)).toBe(0.5);
    expect(expectedProgress(cycle, 0)).toBe(0);
    expect(expectedProgress(cycle, 20_000)).toBe(1);
  });

  it("rejects an empty or reversed cycle", () => {
    expect(() => expectedProgress({ start: 5, end: 5 }, 5)).toThrow(/end after start/);
    expect(() => expectedProgress(cycle, Number.NaN)).toThrow(ScoringError);
  });

  it("flags an objective trailing pace by more than the gap or with low confidence", () => {
    expect(assessRisk(0.25, 0.9, 0.5, DEFAULT_SCORING_POLICY)).toEqual({
      atRisk: true,
      reasons: ["behind-pace"],
    });
    expect(assessRisk(0.35, 0.9, 0.5, DEFAULT_SCORING_POLICY)).toEqual({ atRisk: false, reasons: [] });
    expect(assessRisk(0.6, 0.4, 0.5, DEFAULT_SCORING_POLICY)).toEqual({
      atRisk: true,
      reasons: ["low-confidence"],
    });
    expect(assessRisk(0.1, 0.2, 0.5, DEFAULT_SCORING_POLICY).reasons).toEqual([
      "behind-pace",
      "low-confidence",
    ]);
    expect(assessRisk(0.6, null, 0.5, DEFAULT_SCORING_POLICY).atRisk).toBe(false);
  });
});
