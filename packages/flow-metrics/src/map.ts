import { DAY_MINUTES, ratio } from "./stats.ts";

export const CLASSIFICATIONS = ["value-adding", "necessary-non-value-adding", "waste"] as const;
export type Classification = (typeof CLASSIFICATIONS)[number];

/** The eight wastes (TIMWOODS). */
export const WASTES = [
  "defects",
  "overproduction",
  "waiting",
  "non-utilized-talent",
  "transportation",
  "inventory",
  "motion",
  "extra-processing",
] as const;
export type Waste = (typeof WASTES)[number];

/** Wait before a step: a time, or a queue of units that drains at the customer's daily demand. */
export type Wait = { minutes: number } | { inventoryUnits: number };

export interface MapStep {
  id: string;
  name: string;
  classification: Classification;
  processMinutes: number;
  wait: Wait;
  /** Percent complete and accurate, 0..1: the share the next step can use without rework. */
  percentCompleteAccurate: number;
  wipLimit?: number | null;
  wasteTags: readonly Waste[];
  /** Changeover time in minutes (C/O), when known: shown on the map, not added to lead time. */
  changeoverMinutes?: number | null;
  /** Share of the available time the step can work, as a percentage in (0, 100]; unknown means 100. */
  uptimePercent?: number | null;
}

/** A declared loop back upstream: `rate` of the items leaving `fromStepId` return to `toStepId`. */
export interface ReworkLink {
  fromStepId: string;
  toStepId: string;
  rate: number;
}

/**
 * The customer's pace. A working day has `availableMinutesPerDay`; inventory waits are converted to
 * working days at `dailyDemand` and then to minutes of that day, as on a paper value stream map.
 */
export interface Demand {
  dailyDemand: number;
  availableMinutesPerDay: number;
}

const finiteAtLeast = (value: number, min: number) =>
  typeof value === "number" && Number.isFinite(value) && value >= min;

/**
 * The time a step can actually work in a day: available time × uptime. A practitioner compares a step's
 * cycle time with takt at this time (takt × uptime), since a step down 15% of the day has 15% less time
 * to keep pace with the customer. An unknown uptime counts as 100%.
 */
export function effectiveAvailableMinutes(availableMinutes: number, uptimePercent?: number | null): number {
  if (uptimePercent === undefined || uptimePercent === null || uptimePercent === 100) return availableMinutes;
  return availableMinutes * (uptimePercent / 100);
}

/** What is wrong with a step's numbers (empty when nothing); a defence beside the API's JSON Schema. */
export function stepProblems(
  step: Pick<MapStep, "processMinutes" | "wait" | "percentCompleteAccurate" | "wipLimit"> &
    Partial<Pick<MapStep, "changeoverMinutes" | "uptimePercent">>,
): string[] {
  const problems: string[] = [];
  if (!finiteAtLeast(step.processMinutes, 0)) problems.push("process time must be a number of minutes >= 0");
  if ("minutes" in step.wait && !finiteAtLeast(step.wait.minutes, 0))
    problems.push("wait time must be a number of minutes >= 0");
  if ("inventoryUnits" in step.wait && !finiteAtLeast(step.wait.inventoryUnits, 0))
    problems.push("inventory must be a number of units >= 0");
  const pca = step.percentCompleteAccurate;
  if (!(typeof pca === "number" && pca >= 0 && pca <= 1)) problems.push("%C&A must be between 0 and 1");
  if (
    step.wipLimit !== undefined &&
    step.wipLimit !== null &&
    !(Number.isInteger(step.wipLimit) && step.wipLimit >= 1)
  )
    problems.push("a WIP limit must be a whole number >= 1");
  if (
    step.changeoverMinutes !== undefined &&
    step.changeoverMinutes !== null &&
    !finiteAtLeast(step.changeoverMinutes, 0)
  )
    problems.push("changeover time must be a number of minutes >= 0");
  const uptime = step.uptimePercent;
  if (uptime !== undefined && uptime !== null && !(typeof uptime === "number" && uptime > 0 && uptime <= 100))
    problems.push("uptime must be a percentage > 0 and <= 100");
  return problems;
}

export function demandProblems(demand: Demand): string[] {
  const problems: string[] = [];
  if (!(Number.isFinite(demand.dailyDemand) && demand.dailyDemand > 0))
    problems.push("daily demand must be > 0");
  if (
    !(
      Number.isFinite(demand.availableMinutesPerDay) &&
      demand.availableMinutesPerDay > 0 &&
      demand.availableMinutesPerDay <= DAY_MINUTES
    )
  )
    problems.push("available minutes per day must be > 0 and <= 1440");
  // A demand so small that takt overflows (e.g. 5e-324 units a day) leaves no takt to compare steps with.
  if (problems.length === 0 && !Number.isFinite(demand.availableMinutesPerDay / demand.dailyDemand))
    problems.push("daily demand is too small: takt (available minutes / demand) must be a finite number");
  return problems;
}

/** Wait in minutes: inventory / daily demand = days of wait, times the working minutes of a day. */
export function waitMinutes(wait: Wait, demand: Demand): number {
  if ("minutes" in wait) return wait.minutes;
  return (wait.inventoryUnits / demand.dailyDemand) * demand.availableMinutesPerDay;
}

/**
 * Checks a map's step order. The order is a sequence of step ids: every step exactly once. A step that
 * appears twice would make the flow loop; loops exist only as declared rework links, which point back
 * upstream (or to the same step) with a rate in [0, 1).
 */
export function sequenceProblems(
  sequence: readonly string[],
  stepIds: readonly string[],
  rework: readonly ReworkLink[],
): string[] {
  const problems: string[] = [];
  const known = new Set(stepIds);
  const positions = new Map<string, number>();
  sequence.forEach((id, index) => {
    if (!known.has(id)) problems.push(`step ${id} is not a step of this map`);
    else if (positions.has(id)) {
      const previous = index > 0 ? sequence[index - 1] : undefined;
      problems.push(
        `step ${id} appears twice in the sequence, which makes the flow loop; declare the loop as a rework link${previous ? ` from ${previous} to ${id}` : ""} instead`,
      );
    } else positions.set(id, index);
  });
  for (const id of stepIds) if (!positions.has(id)) problems.push(`step ${id} is missing from the sequence`);
  const seenLinks = new Set<string>();
  for (const link of rework) {
    const from = positions.get(link.fromStepId);
    const to = positions.get(link.toStepId);
    if (from === undefined) problems.push(`rework link from unknown step ${link.fromStepId}`);
    if (to === undefined) problems.push(`rework link to unknown step ${link.toStepId}`);
    if (from !== undefined && to !== undefined && to > from)
      problems.push(
        `rework link ${link.fromStepId} -> ${link.toStepId} points downstream; rework goes back upstream`,
      );
    if (!(typeof link.rate === "number" && link.rate >= 0 && link.rate < 1))
      problems.push(`rework rate of ${link.fromStepId} -> ${link.toStepId} must be >= 0 and < 1`);
    const key = `${link.fromStepId}->${link.toStepId}`;
    if (seenLinks.has(key)) problems.push(`rework link ${key} is declared twice`);
    seenLinks.add(key);
  }
  return problems;
}

export interface StepFigures {
  stepId: string;
  name: string;
  classification: Classification;
  processMinutes: number;
  waitMinutes: number;
  /** The wait in working days (wait minutes / the working minutes of a day), as a map's timeline shows it. */
  waitDays: number;
  percentCompleteAccurate: number;
  /** This step's share of the map's total wait (0 when there is no wait at all). */
  waitShare: number;
  /** Takt at the step's uptime (takt × uptime; takt when the uptime is unknown). */
  effectiveTaktMinutes: number;
  /** The step's cycle time exceeds takt at its uptime: it cannot keep the customer's pace. */
  overTakt: boolean;
}

export interface MapMetrics {
  stepCount: number;
  leadTimeMinutes: number;
  processTimeMinutes: number;
  waitTimeMinutes: number;
  /** The working minutes of a day the `...Days` figures are counted in. */
  workingDayMinutes: number;
  leadTimeDays: number;
  processTimeDays: number;
  waitTimeDays: number;
  valueAddingMinutes: number;
  /** Activity ratio = process / lead (null for an empty map). */
  flowEfficiency: number | null;
  /** Value-adding process time / lead time. */
  valueAddedRatio: number | null;
  /** Product of every step's %C&A (1 for an empty map). */
  rolledPercentCompleteAccurate: number;
  taktTimeMinutes: number;
  /** Expected extra minutes per item from the declared rework loops (each loop counted on its own). */
  expectedReworkMinutes: number;
  leadTimeWithReworkMinutes: number;
  leadTimeWithReworkDays: number;
  minutesByClassification: Record<Classification, number>;
  wasteTagCounts: Partial<Record<Waste, number>>;
  steps: StepFigures[];
  /** Where the wait lies: steps ranked by their share of the total wait, largest first. */
  waitRanking: { stepId: string; name: string; waitMinutes: number; waitDays: number; share: number }[];
}

/** The figures of one value stream map, steps in flow order. */
export function mapMetrics(
  steps: readonly MapStep[],
  reworkLinks: readonly ReworkLink[],
  demand: Demand,
): MapMetrics {
  const takt = demand.availableMinutesPerDay / demand.dailyDemand;
  const days = (minutes: number) => minutes / demand.availableMinutesPerDay;
  const waits = steps.map((step) => waitMinutes(step.wait, demand));
  let process = 0;
  let wait = 0;
  let rolled = 1;
  const byClass: Record<Classification, number> = {
    "value-adding": 0,
    "necessary-non-value-adding": 0,
    waste: 0,
  };
  const wasteTagCounts: Partial<Record<Waste, number>> = {};
  steps.forEach((step, index) => {
    process += step.processMinutes;
    wait += waits[index] as number;
    rolled *= step.percentCompleteAccurate;
    byClass[step.classification] += step.processMinutes;
    for (const tag of step.wasteTags) wasteTagCounts[tag] = (wasteTagCounts[tag] ?? 0) + 1;
  });
  const lead = process + wait;
  const figures: StepFigures[] = steps.map((step, index) => {
    const effectiveTakt =
      effectiveAvailableMinutes(demand.availableMinutesPerDay, step.uptimePercent) / demand.dailyDemand;
    return {
      stepId: step.id,
      name: step.name,
      classification: step.classification,
      processMinutes: step.processMinutes,
      waitMinutes: waits[index] as number,
      waitDays: days(waits[index] as number),
      percentCompleteAccurate: step.percentCompleteAccurate,
      waitShare: wait > 0 ? (waits[index] as number) / wait : 0,
      effectiveTaktMinutes: effectiveTakt,
      overTakt: step.processMinutes > effectiveTakt,
    };
  });
  const indexOf = new Map(steps.map((step, index) => [step.id, index]));
  let rework = 0;
  for (const link of reworkLinks) {
    const from = indexOf.get(link.fromStepId);
    const to = indexOf.get(link.toStepId);
    if (from === undefined || to === undefined || to > from || link.rate >= 1) continue;
    let loopMinutes = 0;
    for (let i = to; i <= from; i++)
      loopMinutes += (steps[i] as MapStep).processMinutes + (waits[i] as number);
    // A loop taken with probability r is taken r/(1-r) extra times on average (geometric series).
    rework += (link.rate / (1 - link.rate)) * loopMinutes;
  }
  return {
    stepCount: steps.length,
    leadTimeMinutes: lead,
    processTimeMinutes: process,
    waitTimeMinutes: wait,
    workingDayMinutes: demand.availableMinutesPerDay,
    leadTimeDays: days(lead),
    processTimeDays: days(process),
    waitTimeDays: days(wait),
    valueAddingMinutes: byClass["value-adding"],
    flowEfficiency: ratio(process, lead),
    valueAddedRatio: ratio(byClass["value-adding"], lead),
    rolledPercentCompleteAccurate: rolled,
    taktTimeMinutes: takt,
    expectedReworkMinutes: rework,
    leadTimeWithReworkMinutes: lead + rework,
    leadTimeWithReworkDays: days(lead + rework),
    minutesByClassification: byClass,
    wasteTagCounts,
    steps: figures,
    waitRanking: figures
      .map((step) => ({
        stepId: step.stepId,
        name: step.name,
        waitMinutes: step.waitMinutes,
        waitDays: step.waitDays,
        share: step.waitShare,
      }))
      .sort((a, b) => b.waitMinutes - a.waitMinutes),
  };
}

const COMPARED = [
  "leadTimeMinutes",
  "processTimeMinutes",
  "waitTimeMinutes",
  "valueAddingMinutes",
  "flowEfficiency",
  "rolledPercentCompleteAccurate",
  "leadTimeWithReworkMinutes",
  "stepCount",
] as const;

export interface MetricDelta {
  metric: (typeof COMPARED)[number];
  current: number | null;
  future: number | null;
  /** future - current. */
  delta: number | null;
  /** delta / current (null when current is 0 or unknown). */
  relativeChange: number | null;
}

/** Current vs future state: how each headline figure would move. */
export function compareMaps(current: MapMetrics, future: MapMetrics): MetricDelta[] {
  return COMPARED.map((metric) => {
    const a = current[metric];
    const b = future[metric];
    const delta = a === null || b === null ? null : b - a;
    return { metric, current: a, future: b, delta, relativeChange: delta === null || !a ? null : delta / a };
  });
}
