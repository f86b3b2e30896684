import {
  type BandKeyResult,
  type CycleWindow,
  expectedProgress,
  isInsideBand,
  isLaterCheckIn,
  milestonesDone,
} from "@okr/scoring-rules";

/**
 * The geometry of a key result's check-in chart, apart from React so it can be tested: where each
 * check-in sits, where a KR on pace would be (scoring-rules' own pacing rule, so the chart and the
 * at-risk flag agree), the range a stay-* KR must hold, and a sentence that says what the chart shows.
 */

/** The canvas in viewBox units: the SVG scales to its box, so these are proportions, not pixels. */
export const CANVAS = { width: 480, height: 220, left: 46, right: 14, top: 16, bottom: 26 } as const;

export interface ChartKeyResult {
  readonly type: string;
  readonly baseline: number | null;
  readonly target: number | null;
  readonly bandLow: number | null;
  readonly bandHigh: number | null;
  readonly milestones: readonly string[];
  readonly unit: string;
}

export interface ChartCheckIn {
  readonly id: string;
  readonly value: number;
  readonly milestonesDone?: number | null;
  readonly recordedAt: string;
}

export interface ChartInput {
  readonly keyResult: ChartKeyResult;
  readonly checkIns: readonly ChartCheckIn[];
  /** The KR's cycle; null when it could not be read (no pace then). */
  readonly cycle: { readonly startsAt: string; readonly endsAt: string } | null;
  readonly now: number;
}

export interface ChartPoint {
  readonly id: string;
  readonly x: number;
  readonly y: number;
  readonly at: number;
  readonly value: number;
}

/** A tick of an axis: its place on the canvas and the time or value it stands for. */
export interface Tick {
  readonly position: number;
  readonly value: number;
}

export interface KeyResultChart {
  /** Oldest first. */
  readonly points: readonly ChartPoint[];
  /** The check-ins as one path: straight segments for a measure, steps for a milestone count. */
  readonly line: string | null;
  /** Where a KR on pace would be over the cycle, from baseline to target (milestones: 0 to all). */
  readonly pace: string | null;
  /** The range a stay-above, stay-below or stay-between KR holds, as canvas y from top to bottom. */
  readonly zone: { readonly top: number; readonly bottom: number } | null;
  /** The thresholds or band bounds, as canvas y. */
  readonly limits: readonly number[];
  readonly today: number | null;
  readonly current: (ChartPoint & { readonly anchor: "start" | "end"; readonly labelY: number }) | null;
  /** The value (milestones: the count) a KR on pace has today; null without a pace. */
  readonly expected: number | null;
  readonly xTicks: readonly Tick[];
  readonly yTicks: readonly Tick[];
  readonly summary: string;
}

const DAY = 86_400_000;

/** The cycle as scoring reads it: a window only when both dates are known and the end is after the start. */
export function cycleWindowOf(cycle: ChartInput["cycle"]): CycleWindow | null {
  if (!cycle) return null;
  const window = { start: Date.parse(cycle.startsAt), end: Date.parse(cycle.endsAt) };
  return Number.isFinite(window.start) && Number.isFinite(window.end) && window.end > window.start
    ? window
    : null;
}

/** A stay-* KR as scoring-rules defines it (goals keeps a threshold in `target`); null for other types. */
function bandOf(kr: ChartKeyResult): BandKeyResult | null {
  if ((kr.type === "stay-above" || kr.type === "stay-below") && kr.target !== null)
    return { id: "", type: kr.type, threshold: kr.target };
  if (kr.type === "stay-between" && kr.bandLow !== null && kr.bandHigh !== null)
    return { id: "", type: "stay-between", low: kr.bandLow, high: kr.bandHigh };
  return null;
}

/** Where a KR on pace goes: baseline to target for a measure, none to all for milestones. */
function courseOf(kr: ChartKeyResult): { from: number; to: number } | null {
  if (kr.type === "milestone") return { from: 0, to: kr.milestones.length };
  if ((kr.type === "increase-to" || kr.type === "decrease-to") && kr.baseline !== null && kr.target !== null)
    return { from: kr.baseline, to: kr.target };
  return null;
}

/** 1, 2 or 5 times a power of ten, so that about `count` steps span `span`. */
export function niceStep(span: number, count = 5): number {
  const raw = span / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const scaled = raw / magnitude;
  return (scaled <= 1 ? 1 : scaled <= 2 ? 2 : scaled <= 5 ? 5 : 10) * magnitude;
}

/** The value axis: every number given, widened to whole steps; whole numbers only when `integers`. */
export function valueAxis(
  values: readonly number[],
  integers = false,
): { low: number; high: number; ticks: number[] } {
  let low = values.length ? Math.min(...values) : 0;
  let high = values.length ? Math.max(...values) : 1;
  if (!(high > low)) {
    const pad = Math.abs(low) / 10 || 1;
    low -= pad;
    high += pad;
  }
  const step = integers ? Math.max(1, Math.round(niceStep(high - low))) : niceStep(high - low);
  // Rounded to the step's decimals, so 0.1 steps read 0.3 rather than 0.30000000000000004.
  const decimals = Math.max(0, -Math.floor(Math.log10(step)));
  const tick = (n: number) => (decimals <= 100 ? Number((n * step).toFixed(decimals)) : n * step);
  let first = Math.floor(low / step);
  if (tick(first) > low) first--;
  let last = Math.ceil(high / step);
  if (tick(last) < high) last++;
  // Numbers too close for their magnitude's precision leave no room for steps: the bare range then.
  if (!(last - first >= 1 && last - first <= 20)) return { low, high, ticks: [low, high] };
  const ticks = Array.from({ length: last - first + 1 }, (_, i) => tick(first + i));
  if (ticks.some((t, i) => i > 0 && !(t > ticks[i - 1]!)) || ticks[0]! > low || ticks.at(-1)! < high)
    return { low, high, ticks: [low, high] };
  return { low: ticks[0]!, high: ticks.at(-1)!, ticks };
}

const round = (n: number) => Math.round(n * 100) / 100;
const path = (points: readonly { x: number; y: number }[]) =>
  points.map((p, i) => `${i === 0 ? "M" : "L"}${round(p.x)} ${round(p.y)}`).join(" ");

export function keyResultChart({ keyResult: kr, checkIns, cycle, now }: ChartInput): KeyResultChart {
  const window = cycleWindowOf(cycle);
  const milestones = kr.type === "milestone";
  const total = kr.milestones.length;
  const readings = checkIns
    .map((c) => ({
      id: c.id,
      recordedAt: Date.parse(c.recordedAt),
      value: milestones ? milestonesDone(c, total) : c.value,
    }))
    .filter((c) => Number.isFinite(c.recordedAt) && Number.isFinite(c.value))
    .sort((a, b) => (isLaterCheckIn(a, b) ? 1 : isLaterCheckIn(b, a) ? -1 : 0));
  const band = bandOf(kr);
  const course = courseOf(kr);

  const times = readings.map((c) => c.recordedAt);
  let start = Math.min(...times, window?.start ?? now);
  let end = Math.max(...times, window?.end ?? now);
  if (!(end > start)) {
    start -= DAY;
    end += DAY;
  }
  const bounds = band
    ? band.type === "stay-between"
      ? [band.low, band.high]
      : [band.threshold]
    : course
      ? [course.from, course.to]
      : [];
  const axis = valueAxis([...bounds, ...readings.map((c) => c.value)], milestones);

  const { width, height, left, right, top, bottom } = CANVAS;
  const x = (time: number) => left + ((time - start) / (end - start)) * (width - left - right);
  const y = (value: number) =>
    height - bottom - ((value - axis.low) / (axis.high - axis.low)) * (height - top - bottom);

  const points = readings.map((c) => ({
    id: c.id,
    x: x(c.recordedAt),
    y: y(c.value),
    at: c.recordedAt,
    value: c.value,
  }));
  const onPace = (time: number) =>
    window && course ? course.from + expectedProgress(window, time) * (course.to - course.from) : null;
  const paceTimes = window ? [...new Set([start, window.start, window.end, end])] : [];
  const stepped = points.flatMap((p, i) => (i > 0 ? [{ x: p.x, y: points[i - 1]!.y }, p] : [p]));
  const last = points.at(-1);
  const expected = onPace(now);

  return {
    points,
    line: points.length ? path(milestones ? stepped : points) : null,
    pace: course && window ? path(paceTimes.map((t) => ({ x: x(t), y: y(onPace(t)!) }))) : null,
    zone:
      band &&
      (band.type === "stay-between"
        ? { top: y(band.high), bottom: y(band.low) }
        : band.type === "stay-above"
          ? { top, bottom: y(band.threshold) }
          : { top: y(band.threshold), bottom: height - bottom }),
    limits: band ? bounds.map(y) : [],
    today: now >= start && now <= end ? x(now) : null,
    current: last
      ? {
          ...last,
          anchor: last.x > width / 2 ? "end" : "start",
          labelY: last.y - top < 14 ? last.y + 18 : last.y - 9,
        }
      : null,
    expected,
    xTicks: [start, end].map((t) => ({ position: x(t), value: t })),
    yTicks: axis.ticks.map((v) => ({ position: y(v), value: v })),
    summary: summaryOf(kr, readings, band, course, expected),
  };
}

/** A number as the chart's sentence says it: at most two decimals, with the KR's unit. */
export const amount = (value: number, unit = "") => `${round(value)} ${unit}`.trim();

function paceVerdict(course: { from: number; to: number }, value: number, expected: number): string {
  const ahead = (value - expected) * Math.sign(course.to - course.from);
  if (Math.abs(ahead) <= 1e-9 * Math.abs(course.to - course.from)) return "on pace";
  return ahead > 0 ? "ahead of pace" : "behind pace";
}

/** One sentence for people who cannot see the chart: where the KR stands against its pace or its range. */
function summaryOf(
  kr: ChartKeyResult,
  readings: readonly { value: number }[],
  band: BandKeyResult | null,
  course: { from: number; to: number } | null,
  expected: number | null,
): string {
  const current = readings.at(-1)?.value;
  const unit = kr.type === "milestone" ? "" : kr.unit;
  if (band) {
    const range =
      band.type === "stay-between"
        ? `between ${amount(band.low)} and ${amount(band.high, unit)}`
        : `${band.type === "stay-above" ? "at or above" : "at or below"} ${amount(band.threshold, unit)}`;
    if (current === undefined) return `No check-ins yet; the value should stay ${range}`;
    const held = readings.filter((c) => isInsideBand(band, c.value)).length;
    const now = isInsideBand(band, current) ? "inside" : "outside";
    return `Value ${amount(current, unit)}, ${now} the range ${range}; ${held} of ${readings.length} check-ins inside`;
  }
  if (!course) return current === undefined ? "No check-ins yet" : `Value ${amount(current, unit)}`;
  const where =
    kr.type === "milestone"
      ? current === undefined
        ? `No check-ins yet; ${course.to} milestones`
        : `${current} of ${course.to} milestones done`
      : current === undefined
        ? `No check-ins yet; from ${amount(course.from)} to ${amount(course.to, unit)}`
        : `Value ${amount(current, unit)}, target ${amount(course.to, unit)}`;
  if (expected === null) return where;
  if (current === undefined) return `${where}, on pace ${amount(expected, unit)} today`;
  return `${where}, ${paceVerdict(course, current, expected)} (expected ${amount(expected, unit)} today)`;
}
