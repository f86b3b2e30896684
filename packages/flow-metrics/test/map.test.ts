import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  compareMaps,
  type Demand,
  demandProblems,
  effectiveAvailableMinutes,
  type MapStep,
  mapMetrics,
  sequenceProblems,
  stepProblems,
  WASTES,
  waitMinutes,
} from "../src/index.ts";

const demand: Demand = { dailyDemand: 20, availableMinutesPerDay: 480 };

const step = (
  id: string,
  processMinutes: number,
  wait: MapStep["wait"],
  pca: number,
  extra: Partial<MapStep> = {},
): MapStep => ({
  id,
  name: id,
  classification: "value-adding",
  processMinutes,
  wait,
  percentCompleteAccurate: pca,
  wasteTags: [],
  ...extra,
});

describe("value stream map metrics", () => {
  const steps = [
    step("order", 10, { minutes: 120 }, 0.9, {
      classification: "necessary-non-value-adding",
      wasteTags: ["waiting"],
    }),
    step("build", 60, { inventoryUnits: 40 }, 0.8),
    step("inspect", 30, { minutes: 0 }, 1, {
      classification: "waste",
      wasteTags: ["defects", "extra-processing"],
    }),
  ];

  it("sums lead time from process and wait, converting inventory to days of demand", () => {
    // 40 units at 20/day is 2 working days of 480 minutes.
    expect(waitMinutes({ inventoryUnits: 40 }, demand)).toBe(960);
    const metrics = mapMetrics(steps, [], demand);
    expect(metrics.processTimeMinutes).toBe(100);
    expect(metrics.waitTimeMinutes).toBe(1080);
    expect(metrics.leadTimeMinutes).toBe(1180);
    // The same times in working days of 480 minutes, beside the minutes.
    expect(metrics.workingDayMinutes).toBe(480);
    expect(metrics.leadTimeDays).toBeCloseTo(1180 / 480, 12);
    expect(metrics.waitTimeDays).toBeCloseTo(1080 / 480, 12);
    expect(metrics.processTimeDays).toBeCloseTo(100 / 480, 12);
    expect(metrics.steps.map((s) => s.waitDays)).toEqual(metrics.steps.map((s) => s.waitMinutes / 480));
    expect(metrics.waitRanking[0]).toMatchObject({ waitMinutes: 960, waitDays: 2 });
    expect(metrics.flowEfficiency).toBeCloseTo(100 / 1180, 12);
    expect(metrics.valueAddedRatio).toBeCloseTo(60 / 1180, 12);
    expect(metrics.rolledPercentCompleteAccurate).toBeCloseTo(0.72, 12);
    expect(metrics.taktTimeMinutes).toBe(24);
    expect(metrics.minutesByClassification).toEqual({
      "value-adding": 60,
      "necessary-non-value-adding": 10,
      waste: 30,
    });
    expect(metrics.wasteTagCounts).toEqual({ waiting: 1, defects: 1, "extra-processing": 1 });
    expect(metrics.steps.filter((s) => s.overTakt).map((s) => s.stepId)).toEqual(["build", "inspect"]);
  });

  it("holds a step to takt at its uptime: 20 min against 24 min takt is over it at 80% uptime", () => {
    const at = (uptimePercent: number | null) =>
      mapMetrics([step("press", 20, { minutes: 0 }, 1, { uptimePercent, changeoverMinutes: 45 })], [], demand)
        .steps[0];
    expect(at(null)).toMatchObject({ effectiveTaktMinutes: 24, overTakt: false });
    expect(at(100)).toMatchObject({ effectiveTaktMinutes: 24, overTakt: false });
    expect(at(85)).toMatchObject({ overTakt: false });
    expect(at(85)?.effectiveTaktMinutes).toBeCloseTo(20.4, 12);
    expect(at(80)?.effectiveTaktMinutes).toBeCloseTo(19.2, 12);
    expect(at(80)?.overTakt).toBe(true);
  });

  it("ranks where the wait lies", () => {
    const ranking = mapMetrics(steps, [], demand).waitRanking;
    expect(ranking.map((entry) => entry.stepId)).toEqual(["build", "order", "inspect"]);
    expect(ranking[0]?.share).toBeCloseTo(960 / 1080, 12);
  });

  it("adds the expected time of declared rework loops beside the plain lead time", () => {
    // Half the items leaving inspect go back to build: 1 extra pass on average through build + inspect.
    const metrics = mapMetrics(steps, [{ fromStepId: "inspect", toStepId: "build", rate: 0.5 }], demand);
    expect(metrics.leadTimeMinutes).toBe(1180);
    expect(metrics.expectedReworkMinutes).toBe(60 + 960 + 30);
    expect(metrics.leadTimeWithReworkMinutes).toBe(1180 + 1050);
  });

  it("treats an empty map as having no flow efficiency rather than dividing by zero", () => {
    const metrics = mapMetrics([], [], demand);
    expect(metrics.leadTimeMinutes).toBe(0);
    expect(metrics.flowEfficiency).toBeNull();
    expect(metrics.rolledPercentCompleteAccurate).toBe(1);
  });

  it("compares current and future state", () => {
    const current = mapMetrics(steps, [], demand);
    const future = mapMetrics([steps[0] as MapStep, step("build", 50, { minutes: 60 }, 0.95)], [], demand);
    const deltas = Object.fromEntries(compareMaps(current, future).map((d) => [d.metric, d]));
    expect(deltas.leadTimeMinutes).toMatchObject({ current: 1180, future: 240, delta: -940 });
    expect(deltas.leadTimeMinutes?.relativeChange).toBeCloseTo(-940 / 1180, 12);
    expect(deltas.stepCount).toMatchObject({ delta: -1 });
    expect(deltas.flowEfficiency?.delta).toBeCloseTo(60 / 240 - 100 / 1180, 12);
  });
});

describe("bad numbers", () => {
  it.each([
    [{ processMinutes: -1, wait: { minutes: 0 }, percentCompleteAccurate: 1 }, "process time"],
    [{ processMinutes: Number.NaN, wait: { minutes: 0 }, percentCompleteAccurate: 1 }, "process time"],
    [{ processMinutes: 1, wait: { minutes: -5 }, percentCompleteAccurate: 1 }, "wait time"],
    [
      { processMinutes: 1, wait: { inventoryUnits: Number.POSITIVE_INFINITY }, percentCompleteAccurate: 1 },
      "inventory",
    ],
    [{ processMinutes: 1, wait: { minutes: 0 }, percentCompleteAccurate: 1.2 }, "%C&A"],
    [{ processMinutes: 1, wait: { minutes: 0 }, percentCompleteAccurate: -0.1 }, "%C&A"],
    [{ processMinutes: 1, wait: { minutes: 0 }, percentCompleteAccurate: 1, wipLimit: 0 }, "WIP limit"],
    [
      { processMinutes: 1, wait: { minutes: 0 }, percentCompleteAccurate: 1, changeoverMinutes: -1 },
      "changeover",
    ],
    [{ processMinutes: 1, wait: { minutes: 0 }, percentCompleteAccurate: 1, uptimePercent: 0 }, "uptime"],
    [{ processMinutes: 1, wait: { minutes: 0 }, percentCompleteAccurate: 1, uptimePercent: 100.5 }, "uptime"],
  ] as const)("rejects %j", (input, message) => {
    expect(stepProblems(input as never).join()).toContain(message);
  });

  it("accepts a good step and rejects a demand of zero", () => {
    expect(
      stepProblems({
        processMinutes: 0,
        wait: { inventoryUnits: 0 },
        percentCompleteAccurate: 0,
        wipLimit: 3,
        changeoverMinutes: 0,
        uptimePercent: 100,
      }),
    ).toEqual([]);
    expect(demandProblems({ dailyDemand: 0, availableMinutesPerDay: 480 })).toHaveLength(1);
    expect(demandProblems({ dailyDemand: 5, availableMinutesPerDay: 2000 })).toHaveLength(1);
    expect(demandProblems({ dailyDemand: 5e-324, availableMinutesPerDay: 314 })).toEqual([
      "daily demand is too small: takt (available minutes / demand) must be a finite number",
    ]);
    expect(demandProblems({ dailyDemand: 1e-300, availableMinutesPerDay: 1 })).toEqual([]);
  });
});

describe("step order", () => {
  const ids = ["a", "b", "c"];
  it("accepts a permutation with backward rework links", () => {
    expect(sequenceProblems(["c", "a", "b"], ids, [{ fromStepId: "b", toStepId: "c", rate: 0.2 }])).toEqual(
      [],
    );
    expect(sequenceProblems(ids, ids, [{ fromStepId: "b", toStepId: "b", rate: 0 }])).toEqual([]);
  });
  it("refuses a loop that is not a declared rework link", () => {
    const problems = sequenceProblems(["a", "b", "c", "b"], ids, []);
    expect(problems).toEqual([expect.stringContaining("appears twice")]);
    expect(problems[0]).toContain("rework link from c to b");
  });
  it("refuses unknown and missing steps, forward or broken rework links", () => {
    expect(sequenceProblems(["a", "x"], ids, [])).toEqual([
      "step x is not a step of this map",
      "step b is missing from the sequence",
      "step c is missing from the sequence",
    ]);
    expect(sequenceProblems(ids, ids, [{ fromStepId: "a", toStepId: "c", rate: 0.1 }]).join()).toContain(
      "downstream",
    );
    expect(sequenceProblems(ids, ids, [{ fromStepId: "c", toStepId: "a", rate: 1 }]).join()).toContain("< 1");
  });
});

const stepArbitrary = fc.record({
  id: fc.uuid(),
  name: fc.string(),
  classification: fc.constantFrom("value-adding", "necessary-non-value-adding", "waste"),
  processMinutes: fc.double({ min: 0, max: 1e5, noNaN: true }),
  wait: fc.oneof(
    fc.record({ minutes: fc.double({ min: 0, max: 1e6, noNaN: true }) }),
    fc.record({ inventoryUnits: fc.double({ min: 0, max: 1e4, noNaN: true }) }),
  ),
  percentCompleteAccurate: fc.double({ min: 0, max: 1, noNaN: true }),
  wasteTags: fc.subarray([...WASTES]),
}) as fc.Arbitrary<MapStep>;
const demandArbitrary = fc.record({
  dailyDemand: fc.double({ min: 0.01, max: 1e4, noNaN: true }),
  availableMinutesPerDay: fc.double({ min: 1, max: 1440, noNaN: true }),
});

describe("map properties", () => {
  it("lead = process + wait; flow efficiency and rolled %C&A stay in [0, 1]; rolled %C&A never beats the worst step", () => {
    fc.assert(
      fc.property(fc.array(stepArbitrary, { maxLength: 20 }), demandArbitrary, (steps, d) => {
        const metrics = mapMetrics(steps, [], d);
        expect(metrics.leadTimeMinutes).toBeCloseTo(metrics.processTimeMinutes + metrics.waitTimeMinutes, 6);
        if (metrics.flowEfficiency !== null) {
          expect(metrics.flowEfficiency).toBeGreaterThanOrEqual(0);
          expect(metrics.flowEfficiency).toBeLessThanOrEqual(1 + 1e-12);
        }
        expect(metrics.rolledPercentCompleteAccurate).toBeGreaterThanOrEqual(0);
        const worst = Math.min(1, ...steps.map((s) => s.percentCompleteAccurate));
        expect(metrics.rolledPercentCompleteAccurate).toBeLessThanOrEqual(worst + 1e-12);
        const shares = metrics.waitRanking.reduce((sum, entry) => sum + entry.share, 0);
        if (metrics.waitTimeMinutes > 0) expect(shares).toBeCloseTo(1, 9);
        for (let i = 1; i < metrics.waitRanking.length; i++)
          expect(metrics.waitRanking[i - 1]?.waitMinutes).toBeGreaterThanOrEqual(
            metrics.waitRanking[i]?.waitMinutes as number,
          );
      }),
    );
  });

  it("uptime shrinks the available time and takt with it; unknown or 100% uptime changes nothing", () => {
    const uptime = fc.double({ min: Number.MIN_VALUE, max: 100, noNaN: true });
    fc.assert(
      fc.property(demandArbitrary, uptime, uptime, (d, a, b) => {
        const available = d.availableMinutesPerDay;
        expect(effectiveAvailableMinutes(available, null)).toBe(available);
        expect(effectiveAvailableMinutes(available, undefined)).toBe(available);
        expect(effectiveAvailableMinutes(available, 100)).toBe(available);
        const [low, high] = a <= b ? [a, b] : [b, a];
        const atLow = effectiveAvailableMinutes(available, low);
        expect(atLow).toBeGreaterThanOrEqual(0);
        expect(atLow).toBeLessThanOrEqual(effectiveAvailableMinutes(available, high));
        expect(effectiveAvailableMinutes(available, high)).toBeLessThanOrEqual(available);
        expect(atLow).toBeCloseTo((available * low) / 100, 9);
      }),
    );
  });

  it("a step is over takt exactly when its cycle time exceeds takt at its uptime", () => {
    const withUptime = fc.record({
      step: stepArbitrary,
      uptimePercent: fc.option(fc.double({ min: 1, max: 100, noNaN: true }), { nil: null }),
      changeoverMinutes: fc.option(fc.double({ min: 0, max: 1e4, noNaN: true }), { nil: null }),
    });
    fc.assert(
      fc.property(fc.array(withUptime, { maxLength: 10 }), demandArbitrary, (rows, d) => {
        const steps = rows.map(({ step, uptimePercent, changeoverMinutes }) => ({
          ...step,
          uptimePercent,
          changeoverMinutes,
        }));
        const metrics = mapMetrics(steps, [], d);
        const plain = mapMetrics(
          steps.map(({ uptimePercent: _u, changeoverMinutes: _c, ...step }) => step),
          [],
          d,
        );
        // Changeover and uptime move no time figure, only the takt each step is held to.
        expect(metrics.leadTimeMinutes).toBe(plain.leadTimeMinutes);
        expect(metrics.taktTimeMinutes).toBe(plain.taktTimeMinutes);
        metrics.steps.forEach((figures, i) => {
          const step = steps[i] as (typeof steps)[number];
          const effective =
            effectiveAvailableMinutes(d.availableMinutesPerDay, step.uptimePercent) / d.dailyDemand;
          expect(figures.effectiveTaktMinutes).toBe(effective);
          expect(figures.effectiveTaktMinutes).toBeLessThanOrEqual(metrics.taktTimeMinutes);
          expect(figures.overTakt).toBe(step.processMinutes > effective);
          // A step over takt without uptime stays over it with any uptime.
          if (plain.steps[i]?.overTakt) expect(figures.overTakt).toBe(true);
          if (step.uptimePercent === null) expect(figures).toEqual(plain.steps[i]);
        });
      }),
    );
  });

  it("the order of steps changes no totals", () => {
    fc.assert(
      fc.property(fc.array(stepArbitrary, { maxLength: 10 }), demandArbitrary, (steps, d) => {
        const forward = mapMetrics(steps, [], d);
        const backward = mapMetrics([...steps].reverse(), [], d);
        expect(backward.leadTimeMinutes).toBeCloseTo(forward.leadTimeMinutes, 6);
        expect(backward.rolledPercentCompleteAccurate).toBeCloseTo(forward.rolledPercentCompleteAccurate, 12);
      }),
    );
  });
});
