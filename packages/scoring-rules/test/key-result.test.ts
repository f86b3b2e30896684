import type { KeyResultType } from "@okr/goals-domain";
import { describe, expect, expectTypeOf, it } from "vitest";
import {
  assertValidKeyResult,
  type CheckIn,
  DEFAULT_SCORING_POLICY,
  isInsideBand,
  type KeyResultDefinition,
  ScoringError,
  type ScoringPolicy,
  scoreKeyResult,
} from "../src/index.ts";

const shareInside: ScoringPolicy = { ...DEFAULT_SCORING_POLICY, id: "share", bandRule: "share-inside" };
const allOrNothing: ScoringPolicy = {
  ...DEFAULT_SCORING_POLICY,
  id: "strict",
  milestoneRule: "all-or-nothing",
};

// The goals domain owns the list of key result types; the typecheck fails when one has no definition here.
describe("key result types", () => {
  it("has a definition for every type the goals domain knows, and for no other", () => {
    expectTypeOf<KeyResultDefinition["type"]>().toEqualTypeOf<KeyResultType>();
  });
});

const revenue: KeyResultDefinition = { id: "kr-revenue", type: "increase-to", baseline: 100, target: 200 };
const leadTime: KeyResultDefinition = { id: "kr-lead-time", type: "decrease-to", baseline: 40, target: 10 };
const uptime: KeyResultDefinition = { id: "kr-uptime", type: "stay-above", threshold: 99.5 };
const errors: KeyResultDefinition = { id: "kr-errors", type: "stay-below", threshold: 2 };
const wip: KeyResultDefinition = { id: "kr-wip", type: "stay-between", low: 3, high: 7 };
const launch: KeyResultDefinition = {
  id: "kr-launch",
  type: "milestone",
  milestones: ["design", "build", "ship"],
};

function values(...readings: number[]): CheckIn[] {
  return readings.map((value, day) => ({ id: `c${day}`, recordedAt: day * 1000, value }));
}

describe("increase-to", () => {
  it("is linear between baseline and target", () => {
    const result = scoreKeyResult(revenue, values(120, 150));
    expect(result.progress).toBe(0.5);
    expect(result.score).toBe(0.5);
    expect(result.currentValue).toBe(150);
    expect(result.latestCheckInId).toBe("c1");
  });

  it("keeps overshoot and regression in progress but clamps the score", () => {
    expect(scoreKeyResult(revenue, values(250))).toMatchObject({ progress: 1.5, score: 1 });
    expect(scoreKeyResult(revenue, values(80))).toMatchObject({ progress: -0.2, score: 0 });
  });

  it("defaults the current value to the baseline before any check-in", () => {
    expect(scoreKeyResult(revenue, [])).toMatchObject({
      progress: 0,
      score: 0,
      currentValue: 100,
      checkInCount: 0,
    });
  });
});

describe("decrease-to", () => {
  it("is linear from baseline down to target", () => {
    expect(scoreKeyResult(leadTime, values(25)).progress).toBe(0.5);
    expect(scoreKeyResult(leadTime, values(4))).toMatchObject({ progress: 1.2, score: 1 });
    expect(scoreKeyResult(leadTime, [])).toMatchObject({ progress: 0, currentValue: 40 });
  });
});

describe("band key results", () => {
  it("current-inside scores the latest value 1 inside the closed band, 0 outside", () => {
    expect(scoreKeyResult(uptime, values(98, 99.5)).score).toBe(1);
    expect(scoreKeyResult(uptime, values(99.9, 99.4)).score).toBe(0);
    expect(scoreKeyResult(errors, values(5, 2)).score).toBe(1);
    expect(scoreKeyResult(wip, values(3)).score).toBe(1);
    expect(scoreKeyResult(wip, values(7.5)).score).toBe(0);
  });

  it("share-inside scores the share of check-ins inside the band", () => {
    expect(scoreKeyResult(wip, values(2, 4, 6, 9), shareInside).progress).toBe(0.5);
    expect(scoreKeyResult(uptime, values(99.9, 99.0, 99.7), shareInside).progress).toBeCloseTo(2 / 3, 15);
  });

  it("counts a value on a threshold or bound as inside (the rule the web app's chart shows too)", () => {
    const inside = (definition: KeyResultDefinition, value: number) =>
      definition.type === "stay-above" ||
      definition.type === "stay-below" ||
      definition.type === "stay-between"
        ? isInsideBand(definition, value)
        : undefined;
    expect([99.4, 99.5, 99.6].map((v) => inside(uptime, v))).toEqual([false, true, true]);
    expect([1.9, 2, 2.1].map((v) => inside(errors, v))).toEqual([true, true, false]);
    expect([2.9, 3, 7, 7.1].map((v) => inside(wip, v))).toEqual([false, true, true, false]);
  });

  it("scores 0 without check-ins under either rule", () => {
    expect(scoreKeyResult(wip, []).score).toBe(0);
    expect(scoreKeyResult(wip, [], shareInside)).toMatchObject({ score: 0, currentValue: null });
  });
});

describe("milestone", () => {
  const done = (...milestones: string[]): CheckIn[] => [
    { id: "m1", recordedAt: 1, completedMilestones: milestones },
  ];

  it("fraction scores done / total", () => {
    expect(scoreKeyResult(launch, done("design", "build")).progress).toBeCloseTo(2 / 3, 15);
    expect(scoreKeyResult(launch, done("design", "design")).currentValue).toBe(1);
    expect(scoreKeyResult(launch, []).score).toBe(0);
  });

  it("all-or-nothing scores 1 only when every milestone is done", () => {
    expect(scoreKeyResult(launch, done("design", "build"), allOrNothing).score).toBe(0);
    expect(scoreKeyResult(launch, done("ship", "build", "design"), allOrNothing).score).toBe(1);
  });

  it("takes the state of the latest check-in, so un-completing a milestone counts", () => {
    const checkIns: CheckIn[] = [
      { id: "a", recordedAt: 2, completedMilestones: ["design"] },
      { id: "b", recordedAt: 1, completedMilestones: ["design", "build"] },
    ];
    expect(scoreKeyResult(launch, checkIns).currentValue).toBe(1);
  });

  it("rejects milestones the KR does not define and values on a milestone KR", () => {
    expect(() => scoreKeyResult(launch, done("deploy"))).toThrow(/"deploy", which the KR does not define/);
    expect(() => scoreKeyResult(launch, [{ id: "v", recordedAt: 1, value: 3 }])).toThrow(ScoringError);
  });
});

describe("check-in ordering", () => {
  it("takes the latest recordedAt as current whatever the arrival order", () => {
    const checkIns: CheckIn[] = [
      { id: "late", recordedAt: 3000, value: 180 },
      { id: "early", recordedAt: 1000, value: 120 },
      { id: "middle", recordedAt: 2000, value: 150 },
    ];
    expect(scoreKeyResult(revenue, checkIns)).toMatchObject({ currentValue: 180, latestCheckInId: "late" });
  });

  it("breaks a recordedAt tie by the greater check-in id", () => {
    const checkIns: CheckIn[] = [
      { id: "b", recordedAt: 5, value: 170 },
      { id: "a", recordedAt: 5, value: 130 },
    ];
    expect(scoreKeyResult(revenue, checkIns).latestCheckInId).toBe("b");
    expect(scoreKeyResult(revenue, checkIns.toReversed()).latestCheckInId).toBe("b");
  });

  it("ignores check-ins recorded after asOf", () => {
    const result = scoreKeyResult(revenue, values(120, 150, 190), DEFAULT_SCORING_POLICY, 1000);
    expect(result).toMatchObject({ currentValue: 150, checkInCount: 2 });
  });

  it("lets a confidence-only check-in update confidence without moving the value", () => {
    const checkIns: CheckIn[] = [
      { id: "c1", recordedAt: 1, value: 150, confidence: 0.8 },
      { id: "c2", recordedAt: 2, confidence: 0.4 },
    ];
    expect(scoreKeyResult(revenue, checkIns)).toMatchObject({
      score: 0.5,
      confidence: 0.4,
      latestCheckInId: "c1",
    });
  });

  it("rejects the same check-in id twice", () => {
    const twice: CheckIn[] = [
      { id: "dup", recordedAt: 1, value: 110 },
      { id: "dup", recordedAt: 2, value: 120 },
    ];
    expect(() => scoreKeyResult(revenue, twice)).toThrow(/appears twice/);
  });
});

describe("confidence beside the score", () => {
  const withConfidence = (...readings: number[]): CheckIn[] =>
    readings.map((confidence, i) => ({ id: `c${i}`, recordedAt: i, value: 150, confidence }));

  it("reports the latest confidence and the slope over the last three readings", () => {
    const result = scoreKeyResult(revenue, withConfidence(0.1, 0.9, 0.8, 0.6, 0.4));
    expect(result.score).toBe(0.5);
    expect(result.confidence).toBe(0.4);
    expect(result.confidenceTrend).toBeCloseTo(-0.2, 12);
  });

  it("equals last minus previous for two readings and is null for one", () => {
    expect(scoreKeyResult(revenue, withConfidence(0.5, 0.7)).confidenceTrend).toBeCloseTo(0.2, 12);
    expect(scoreKeyResult(revenue, withConfidence(0.5))).toMatchObject({
      confidence: 0.5,
      confidenceTrend: null,
    });
    expect(scoreKeyResult(revenue, values(150))).toMatchObject({ confidence: null, confidenceTrend: null });
  });

  it("never changes the score", () => {
    expect(scoreKeyResult(revenue, withConfidence(0.0)).score).toBe(
      scoreKeyResult(revenue, withConfidence(1)).score,
    );
  });
});

describe("degenerate definitions and bad check-ins", () => {
  const cases: [string, KeyResultDefinition, RegExp][] = [
    [
      "target == baseline",
      { id: "x", type: "increase-to", baseline: 5, target: 5 },
      /target equal to baseline/,
    ],
    [
      "rising KR with a lower target",
      { id: "x", type: "increase-to", baseline: 5, target: 1 },
      /use decrease-to/,
    ],
    [
      "falling KR with a higher target",
      { id: "x", type: "decrease-to", baseline: 1, target: 5 },
      /use increase-to/,
    ],
    ["band low > high", { id: "x", type: "stay-between", low: 8, high: 2 }, /low 8 above high 2/],
    ["empty milestone list", { id: "x", type: "milestone", milestones: [] }, /at least one milestone/],
    ["duplicate milestone", { id: "x", type: "milestone", milestones: ["a", "a"] }, /lists "a" twice/],
    [
      "non-finite threshold",
      { id: "x", type: "stay-above", threshold: Number.NaN },
      /target must be a finite number/,
    ],
  ];
  it.each(cases)("rejects %s", (_label, definition, message) => {
    expect(() => scoreKeyResult(definition, [])).toThrow(message);
    try {
      scoreKeyResult(definition, []);
    } catch (error) {
      expect(error).toBeInstanceOf(ScoringError);
      expect((error as ScoringError).code).toBe("invalid-key-result");
    }
  });

  it("rejects confidence outside 0-1 and non-finite values or times", () => {
    expect(() => scoreKeyResult(revenue, [{ id: "c", recordedAt: 1, confidence: 1.5 }])).toThrow(
      /confidence 1.5/,
    );
    expect(() => scoreKeyResult(revenue, [{ id: "c", recordedAt: 1, value: Number.NaN }])).toThrow(
      /value NaN/,
    );
    expect(() => scoreKeyResult(revenue, [{ id: "c", recordedAt: Number.NaN, value: 1 }])).toThrow(
      /recordedAt/,
    );
  });

  it("rejects a KR whose numbers goals would refuse (the one rule, from goals-domain)", () => {
    const outOfRange: [string, KeyResultDefinition, RegExp][] = [
      [
        "wide",
        { id: "x", type: "increase-to", baseline: -1e308, target: 1e308 },
        /baseline must be a finite/,
      ],
      [
        "huge baseline",
        { id: "x", type: "increase-to", baseline: -1e16, target: 0 },
        /baseline .* -1e15 and 1e15/,
      ],
      [
        "huge target",
        { id: "x", type: "decrease-to", baseline: 0, target: -1e16 },
        /target .*\(got -10000000000000000\)/,
      ],
      ["huge threshold", { id: "x", type: "stay-above", threshold: 2e15 }, /target .* 1e15/],
      ["huge band", { id: "x", type: "stay-between", low: -1e300, high: 0 }, /bandLow/],
    ];
    for (const [label, definition, message] of outOfRange) {
      expect(() => assertValidKeyResult(definition), label).toThrow(message);
      expect(() => assertValidKeyResult(definition), label).toThrow(ScoringError);
    }
  });

  it("scores the largest KR goals accepts, even against a check-in value near the double range", () => {
    const widest: KeyResultDefinition = { id: "x", type: "increase-to", baseline: -1e15, target: 1e15 };
    expect(scoreKeyResult(widest, [{ id: "c", recordedAt: 1, value: 0 }]).score).toBe(0.5);
    expect(scoreKeyResult(widest, [{ id: "c", recordedAt: 1, value: 1.7e308 }]).score).toBe(1);
    expect(scoreKeyResult(widest, [{ id: "c", recordedAt: 1, value: -1.7e308 }]).score).toBe(0);
  });

  it("rejects an invalid policy", () => {
    const broken = { ...DEFAULT_SCORING_POLICY, bandRule: "mostly-inside" } as unknown as ScoringPolicy;
    expect(() => scoreKeyResult(wip, [], broken)).toThrow(/bandRule must be one of/);
  });
});
