import {
  type Clocks,
  compareMaps,
  type EventKind,
  type FlowEvent,
  type FlowMetrics,
  flowMetrics,
  type ItemHistory,
  type MapMetrics,
  type MetricDelta,
  mapMetrics,
} from "@okr/flow-metrics";
import type pg from "pg";
import type { ValueStreamDb } from "./database.ts";
import { clocksOf, reworkLinksOf, toMapStep } from "./model.ts";

export const DAY_MS = 24 * 60 * 60_000;
/** Flow metrics look back this far unless the caller names a window. */
export const DEFAULT_WINDOW_DAYS = 30;

export interface StreamMetrics {
  asOf: string;
  currentMapId: string;
  map: MapMetrics;
  flow: FlowMetrics;
  futureStates: { mapId: string; name: string; map: MapMetrics; deltas: MetricDelta[] }[];
}

/** Every work item of a stream with its events in order (one query, rows as arrays: this is the hot path). */
export async function loadItemHistories(pool: pg.Pool, streamId: string): Promise<ItemHistory[]> {
  const [items, events] = await Promise.all([
    pool.query<[string, string]>({
      text: "select item_id, type from work_items where stream_id = $1",
      values: [streamId],
      rowMode: "array",
    }),
    pool.query<[string, string, string, string | null, string]>({
      text: `select item_id, step_id, kind, reason, (extract(epoch from at) * 1000)::bigint::text
             from work_item_events where stream_id = $1 order by item_id, seq`,
      values: [streamId],
      rowMode: "array",
    }),
  ]);
  const byId = new Map<string, { id: string; type: string; events: FlowEvent[] }>();
  for (const [id, type] of items.rows) byId.set(id, { id, type, events: [] });
  for (const [itemId, stepId, kind, reason, at] of events.rows) {
    byId.get(itemId)?.events.push({ itemId, stepId, kind: kind as EventKind, at: Number(at), reason });
  }
  return [...byId.values()];
}

/** A stream's map figures (current and future states) and flow figures over a window ending `to`. */
export async function computeStreamMetrics(
  db: ValueStreamDb,
  pool: pg.Pool,
  streamId: string,
  window?: { from?: number; to?: number },
): Promise<StreamMetrics> {
  const stream = await db.valueStream.findUniqueOrThrow({
    where: { id: streamId },
    include: {
      maps: { include: { steps: { orderBy: { position: "asc" } } }, orderBy: { createdAt: "asc" } },
    },
  });
  const demand = { dailyDemand: stream.dailyDemand, availableMinutesPerDay: stream.availableMinutesPerDay };
  const figures = stream.maps.map((map) => ({
    map,
    metrics: mapMetrics(map.steps.map(toMapStep), reworkLinksOf(map.reworkLinks), demand),
  }));
  const current = figures.find((entry) => entry.map.state === "current");
  if (!current) throw new Error(`stream ${streamId} has no current-state map`);
  const to = window?.to ?? Date.now();
  const from = window?.from ?? to - DEFAULT_WINDOW_DAYS * DAY_MS;
  const histories = await loadItemHistories(pool, streamId);
  const flow = flowMetrics(histories, {
    window: { from, to },
    clocks: clocksOf(stream.clocks) as Clocks,
    sequence: current.map.steps.map((step) => step.id),
  });
  return {
    asOf: new Date(to).toISOString(),
    currentMapId: current.map.id,
    map: current.metrics,
    flow,
    futureStates: figures
      .filter((entry) => entry.map.state === "future")
      .map((entry) => ({
        mapId: entry.map.id,
        name: entry.map.name,
        map: entry.metrics,
        deltas: compareMaps(current.metrics, entry.metrics),
      })),
  };
}

export const METRIC_UNITS = {
  "lead-time": "minutes",
  "process-time": "minutes",
  "flow-efficiency": "ratio",
  "rolled-percent-complete-accurate": "ratio",
  throughput: "items/day",
  wip: "items",
  "flow-time-p85": "minutes",
} as const;
export type StreamMetricName = keyof typeof METRIC_UNITS;

/**
 * The value of each bindable metric. Lead and process time and rolled %C&A come from the current-state
 * map; throughput, WIP and flow time are measured from work items. Flow efficiency is measured (active vs
 * waiting time of the items) once items have flowed, and falls back to the map's activity ratio before.
 */
export function headlineValues(metrics: StreamMetrics): Partial<Record<StreamMetricName, number>> {
  const values: Partial<Record<StreamMetricName, number | null>> = {
    "lead-time": metrics.map.stepCount > 0 ? metrics.map.leadTimeMinutes : null,
    "process-time": metrics.map.stepCount > 0 ? metrics.map.processTimeMinutes : null,
    "flow-efficiency": metrics.flow.flowEfficiency ?? metrics.map.flowEfficiency,
    "rolled-percent-complete-accurate":
      metrics.map.stepCount > 0 ? metrics.map.rolledPercentCompleteAccurate : null,
    throughput: metrics.flow.throughput.perDay,
    wip: metrics.flow.wip.current,
    "flow-time-p85": metrics.flow.flowTime.p85Minutes,
  };
  return Object.fromEntries(
    Object.entries(values).filter(
      (entry): entry is [StreamMetricName, number] =>
        typeof entry[1] === "number" && Number.isFinite(entry[1]),
    ),
  );
}

/** The figures that travel as a check-in's evidence. */
export function snapshotOf(metrics: StreamMetrics): Record<string, number> {
  const figures: Record<string, number | null> = {
    mapLeadTimeMinutes: metrics.map.leadTimeMinutes,
    mapProcessTimeMinutes: metrics.map.processTimeMinutes,
    mapWaitTimeMinutes: metrics.map.waitTimeMinutes,
    mapFlowEfficiency: metrics.map.flowEfficiency,
    rolledPercentCompleteAccurate: metrics.map.rolledPercentCompleteAccurate,
    taktTimeMinutes: metrics.map.taktTimeMinutes,
    measuredFlowEfficiency: metrics.flow.flowEfficiency,
    activeMinutes: metrics.flow.activeMinutes,
    waitingMinutes: metrics.flow.waitingMinutes,
    throughputCount: metrics.flow.throughput.count,
    throughputPerDay: metrics.flow.throughput.perDay,
    wipCurrent: metrics.flow.wip.current,
    wipAverage: metrics.flow.wip.average,
    flowTimeP50Minutes: metrics.flow.flowTime.p50Minutes,
    flowTimeP85Minutes: metrics.flow.flowTime.p85Minutes,
    flowTimeP95Minutes: metrics.flow.flowTime.p95Minutes,
    littlesLawRatio: metrics.flow.littlesLaw.ratio,
    windowDays: metrics.flow.window.days,
  };
  return Object.fromEntries(
    Object.entries(figures).filter(
      (entry): entry is [string, number] => typeof entry[1] === "number" && Number.isFinite(entry[1]),
    ),
  );
}

/** Values are compared at 6 significant digits: float noise is not a new value. */
export const significant = (value: number) => Number(value.toPrecision(6));
