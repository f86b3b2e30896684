import { KEY_RESULT_TYPES } from "@okr/goals-domain";
import { expectedProgress } from "@okr/scoring-rules";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CANVAS,
  type ChartCheckIn,
  type ChartKeyResult,
  keyResultChart,
  valueAxis,
} from "../app/components/kr-chart-geometry.ts";

/** A ten-day cycle from 1 January: each day is a tenth of the way, 42 canvas units across. */
const cycle = { startsAt: "2026-01-01T00:00:00.000Z", endsAt: "2026-01-11T00:00:00.000Z" };
const jan = (day: number, hour = 0) => Date.UTC(2026, 0, day, hour);
const { width, height, left, right, top, bottom } = CANVAS;
const plotLeft = left;
const plotRight = width - right;
const plotTop = top;
const plotBottom = height - bottom;

const kr = (fields: Partial<ChartKeyResult> & { type: string }): ChartKeyResult => ({
  baseline: null,
  target: null,
  bandLow: null,
  bandHigh: null,
  milestones: [],
  unit: "",
  ...fields,
});
const checkIn = (
  id: string,
  day: number,
  value: number,
  milestonesDone: number | null = null,
): ChartCheckIn => ({
  id,
  value,
  milestonesDone,
  recordedAt: new Date(jan(day)).toISOString(),
});

describe("a key result's check-in chart", () => {
  it("draws an increase-to KR's values against the pace from baseline at the start to target at the end", () => {
    const chart = keyResultChart({
      keyResult: kr({ type: "increase-to", baseline: 0, target: 100, unit: "%" }),
      checkIns: [checkIn("a", 2, 10), checkIn("b", 4, 30)],
      cycle,
      now: jan(5),
    });
    // The value axis runs 0–100 in steps of 20: 0 at the plot's bottom, 100 at its top.
    expect(chart.yTicks.map((t) => t.value)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(chart.pace).toBe(`M${plotLeft} ${plotBottom} L${plotRight} ${plotTop}`);
    const [a, b] = chart.points;
    expect(a!.x).toBeCloseTo(plotLeft + 42, 9);
    expect(a!.y).toBeCloseTo(plotBottom - 17.8, 9);
    expect(b!.x).toBeCloseTo(plotLeft + 3 * 42, 9);
    expect(b!.y).toBeCloseTo(plotBottom - 3 * 17.8, 9);
    expect(chart.line).toBe(`M88 176.2 L172 140.6`);
    expect(chart.today).toBe(plotLeft + 4 * 42);
    expect(chart.current).toMatchObject({ id: "b", value: 30 });
    expect(chart.expected).toBe(40);
    expect(chart.zone).toBeNull();
    expect(chart.summary).toBe("Value 30 %, target 100 %, behind pace (expected 40 % today)");
  });

  it("expects what scoring-rules' pacing expects, so the chart and the at-risk flag agree", () => {
    const now = jan(7, 13);
    const chart = keyResultChart({
      keyResult: kr({ type: "decrease-to", baseline: 20, target: 5 }),
      checkIns: [],
      cycle,
      now,
    });
    const share = expectedProgress({ start: Date.parse(cycle.startsAt), end: Date.parse(cycle.endsAt) }, now);
    expect(chart.expected).toBe(20 + share * (5 - 20));
  });

  it("reads a decrease-to KR below its pace as ahead", () => {
    const chart = keyResultChart({
      keyResult: kr({ type: "decrease-to", baseline: 20, target: 5, unit: "days" }),
      checkIns: [checkIn("a", 4, 11)],
      cycle,
      now: jan(5),
    });
    expect(chart.summary).toBe("Value 11 days, target 5 days, ahead of pace (expected 14 days today)");
    // The pace falls from 20 at the start to 5 at the end.
    expect(chart.pace).toMatch(new RegExp(`^M${plotLeft} [\\d.]+ L${plotRight} [\\d.]+$`));
    const [, fromY, toY] = /^M\S+ (\S+) L\S+ (\S+)$/.exec(chart.pace!)!.map(Number);
    expect(fromY).toBeLessThan(toY!);
  });

  it("says on pace when the value is where the pace is today", () => {
    const chart = keyResultChart({
      keyResult: kr({ type: "increase-to", baseline: 0, target: 10 }),
      checkIns: [checkIn("a", 5, 4)],
      cycle,
      now: jan(5),
    });
    expect(chart.summary).toBe("Value 4, target 10, on pace (expected 4 today)");
  });

  it("shades a stay-between KR's band and counts the check-ins inside it", () => {
    const chart = keyResultChart({
      keyResult: kr({ type: "stay-between", bandLow: 40, bandHigh: 50, unit: "ms" }),
      checkIns: [checkIn("a", 2, 38), checkIn("b", 3, 40), checkIn("c", 4, 45)],
      cycle,
      now: jan(5),
    });
    const y = (value: number) => chart.yTicks.find((t) => t.value === value)!.position;
    expect(chart.zone).toEqual({ top: y(50), bottom: y(40) });
    expect(chart.limits).toEqual([y(40), y(50)]);
    expect(chart.pace).toBeNull();
    expect(chart.expected).toBeNull();
    expect(chart.summary).toBe("Value 45 ms, inside the range between 40 and 50 ms; 2 of 3 check-ins inside");
  });

  it("shades above a stay-above threshold and below a stay-below one, a value on the line inside", () => {
    const above = keyResultChart({
      keyResult: kr({ type: "stay-above", target: 99.5, unit: "%" }),
      checkIns: [checkIn("a", 2, 99.5), checkIn("b", 3, 99.1)],
      cycle,
      now: jan(5),
    });
    expect(above.zone).toEqual({ top: plotTop, bottom: above.limits[0] });
    expect(above.summary).toBe("Value 99.1 %, outside the range at or above 99.5 %; 1 of 2 check-ins inside");
    const below = keyResultChart({
      keyResult: kr({ type: "stay-below", target: 2 }),
      checkIns: [],
      cycle,
      now: jan(5),
    });
    expect(below.zone).toEqual({ top: below.limits[0], bottom: plotBottom });
    expect(below.summary).toBe("No check-ins yet; the value should stay at or below 2");
  });

  it("steps a milestone KR's count (milestonesDone, else the value, within 0 and all) against its pace", () => {
    const chart = keyResultChart({
      keyResult: kr({ type: "milestone", milestones: ["design", "build", "pilot", "ship"] }),
      checkIns: [checkIn("a", 2, 0, 1), checkIn("b", 4, 2.7), checkIn("c", 6, 9)],
      cycle,
      now: jan(5),
    });
    expect(chart.points.map((p) => p.value)).toEqual([1, 2, 4]);
    expect(chart.yTicks.map((t) => t.value)).toEqual([0, 1, 2, 3, 4]);
    const [a, b, c] = chart.points;
    expect(chart.line).toBe(
      [`M${a!.x} ${a!.y}`, `L${b!.x} ${a!.y}`, `L${b!.x} ${b!.y}`, `L${c!.x} ${b!.y}`, `L${c!.x} ${c!.y}`]
        .map((step) => step.replace(/\d+\.\d+/g, (n) => String(Math.round(Number(n) * 100) / 100)))
        .join(" "),
    );
    expect(chart.pace).toBe(`M${plotLeft} ${plotBottom} L${plotRight} ${plotTop}`);
    expect(chart.summary).toBe("4 of 4 milestones done, ahead of pace (expected 1.6 today)");
  });

  it("orders check-ins by time, then id, whatever order they come in, and takes the last as current", () => {
    const chart = keyResultChart({
      keyResult: kr({ type: "increase-to", baseline: 0, target: 10 }),
      checkIns: [checkIn("b", 3, 5), checkIn("z", 2, 3), checkIn("a", 3, 4)],
      cycle,
      now: jan(5),
    });
    expect(chart.points.map((p) => p.id)).toEqual(["z", "a", "b"]);
    expect(chart.current?.value).toBe(5);
  });

  it("widens the time axis to a check-in recorded before the cycle, the pace flat at the baseline there", () => {
    const chart = keyResultChart({
      keyResult: kr({ type: "increase-to", baseline: 0, target: 100 }),
      checkIns: [{ id: "a", value: 5, recordedAt: "2025-12-22T00:00:00.000Z" }],
      cycle,
      now: jan(5),
    });
    expect(chart.xTicks.map((t) => t.value)).toEqual([Date.UTC(2025, 11, 22), Date.UTC(2026, 0, 11)]);
    expect(chart.points[0]?.x).toBe(plotLeft);
    // Half the axis is before the start: the pace holds the baseline until the middle, then rises.
    expect(chart.pace).toBe(
      `M${plotLeft} ${plotBottom} L${(plotLeft + plotRight) / 2} ${plotBottom} L${plotRight} ${plotTop}`,
    );
  });

  it("draws the values alone when the cycle is not known, and says no more than it knows", () => {
    const chart = keyResultChart({
      keyResult: kr({ type: "increase-to", baseline: 0, target: 100 }),
      checkIns: [checkIn("a", 2, 10)],
      cycle: null,
      now: jan(5),
    });
    expect(chart.pace).toBeNull();
    expect(chart.expected).toBeNull();
    expect(chart.today).toBe(plotRight);
    expect(chart.summary).toBe("Value 10, target 100");
  });

  it("shows the pace before the first check-in", () => {
    const chart = keyResultChart({
      keyResult: kr({ type: "increase-to", baseline: 0, target: 100, unit: "%" }),
      checkIns: [],
      cycle,
      now: jan(5),
    });
    expect([chart.line, chart.current, chart.points]).toEqual([null, null, []]);
    expect(chart.pace).not.toBeNull();
    expect(chart.summary).toBe("No check-ins yet; from 0 to 100 %, on pace 40 % today");
  });

  it("keeps the current value's label on the canvas", () => {
    const currentOf = (day: number, value: number) =>
      keyResultChart({
        keyResult: kr({ type: "increase-to", baseline: 0, target: 100 }),
        checkIns: [checkIn("a", day, value)],
        cycle,
        now: jan(5),
      }).current!;
    // Top right: the label goes left of the point and below it.
    const late = currentOf(10, 100);
    expect(late.anchor).toBe("end");
    expect(late.labelY).toBeGreaterThan(late.y);
    // Bottom left: right of the point and above it.
    const early = currentOf(2, 0);
    expect(early.anchor).toBe("start");
    expect(early.labelY).toBeLessThan(early.y);
  });
});

describe("the value axis", () => {
  it("runs in steps of 1, 2 or 5 times a power of ten, whole numbers for counts", () => {
    expect(valueAxis([5, 20]).ticks).toEqual([5, 10, 15, 20]);
    expect(valueAxis([0.1, 0.35]).ticks).toEqual([0.1, 0.15, 0.2, 0.25, 0.3, 0.35]);
    expect(valueAxis([0, 3], true).ticks).toEqual([0, 1, 2, 3]);
    expect(valueAxis([7, 7]).ticks).toEqual([6, 6.5, 7, 7.5, 8]);
    expect(valueAxis([]).ticks).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
  });

  it("always spans every value, in increasing ticks", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e15, max: 1e15, noNaN: true }), { maxLength: 8 }),
        fc.boolean(),
        (values, integers) => {
          const axis = valueAxis(values, integers);
          for (const value of values) expect(value >= axis.low && value <= axis.high).toBe(true);
          expect(axis.ticks.length).toBeLessThanOrEqual(21);
          for (let i = 1; i < axis.ticks.length; i++)
            expect(axis.ticks[i]).toBeGreaterThan(axis.ticks[i - 1]!);
        },
      ),
    );
  });
});

const number = fc.double({ min: -1e12, max: 1e12, noNaN: true });
const time = fc.integer({ min: Date.UTC(2025, 0, 1), max: Date.UTC(2028, 0, 1) });

describe("every chart", () => {
  it("stays on its canvas, in time order, whatever the KR, check-ins, cycle and day", () => {
    fc.assert(
      fc.property(
        fc.record({
          type: fc.constantFrom(...KEY_RESULT_TYPES),
          baseline: number,
          target: number,
          bandLow: number,
          bandHigh: number,
          milestones: fc.array(fc.string(), { minLength: 1, maxLength: 6 }),
        }),
        fc.array(
          fc.record({ value: number, milestonesDone: fc.option(fc.integer({ min: 0, max: 10 })), at: time }),
          { maxLength: 12 },
        ),
        fc.option(fc.tuple(time, time)),
        time,
        (fields, readings, window, now) => {
          const chart = keyResultChart({
            keyResult: kr({
              ...fields,
              bandLow: Math.min(fields.bandLow, fields.bandHigh),
              bandHigh: Math.max(fields.bandLow, fields.bandHigh),
            }),
            checkIns: readings.map((r, i) => ({
              id: `c${i}`,
              value: r.value,
              milestonesDone: r.milestonesDone,
              recordedAt: new Date(r.at).toISOString(),
            })),
            cycle: window && {
              startsAt: new Date(Math.min(...window)).toISOString(),
              endsAt: new Date(Math.max(...window)).toISOString(),
            },
            now,
          });
          // Paths are written to two decimals.
          const near = 0.01;
          const onCanvas = (x: number, y: number) =>
            x >= plotLeft - near && x <= plotRight + near && y >= plotTop - near && y <= plotBottom + near;
          for (const p of chart.points) expect(onCanvas(p.x, p.y)).toBe(true);
          for (let i = 1; i < chart.points.length; i++)
            expect(chart.points[i]!.at).toBeGreaterThanOrEqual(chart.points[i - 1]!.at);
          const drawn = `${chart.line ?? ""} ${chart.pace ?? ""}`.match(/-?[\d.e+-]+ -?[\d.e+-]+/g) ?? [];
          for (const pair of drawn) {
            const [x, y] = pair.split(" ").map(Number);
            expect(onCanvas(x!, y!)).toBe(true);
          }
          for (const tick of chart.yTicks) expect(onCanvas(plotLeft, tick.position)).toBe(true);
          if (chart.zone) expect(chart.zone.top).toBeLessThanOrEqual(chart.zone.bottom);
          expect(chart.summary).not.toMatch(/NaN|undefined|Infinity/);
        },
      ),
    );
  });
});
