import { StreamMetric } from "@okr/events";
import { CLASSIFICATIONS } from "@okr/flow-metrics";
import { Uuid } from "@okr/service-kit";
import { Type } from "typebox";

/**
 * The response schemas of value-stream's streams, metrics, kaizens, bindings and pull board. They import
 * no database code, so the web app types what it reads with them (`@okr/value-stream-service/views`).
 */

export const Classification = Type.Enum(CLASSIFICATIONS);
export const StreamMetricName = StreamMetric();
export const WipPolicy = Type.Union([Type.Literal("reject"), Type.Literal("flag")]);

const Nullable = (schema: ReturnType<typeof Type.Number>) => Type.Union([schema, Type.Null()]);
const Days = (what: string) =>
  Type.Number({ description: `${what} in working days (minutes / the stream's available minutes per day)` });

/** A product family: whom its value streams serve, and the value they ask for. */
export const Family = Type.Object({
  id: Uuid(),
  name: Type.String(),
  customer: Type.String(),
  valueStatement: Type.String(),
  createdAt: Type.String({ format: "date-time" }),
});

/** The figures of one map (flow-metrics' MapMetrics): times in minutes, and in working days beside them. */
export const MapMetricsView = Type.Object({
  stepCount: Type.Integer(),
  leadTimeMinutes: Type.Number(),
  processTimeMinutes: Type.Number(),
  waitTimeMinutes: Type.Number(),
  workingDayMinutes: Type.Number({ description: "the working minutes of a day the *Days figures count in" }),
  leadTimeDays: Days("lead time"),
  processTimeDays: Days("process time"),
  waitTimeDays: Days("wait time"),
  valueAddingMinutes: Type.Number(),
  flowEfficiency: Nullable(Type.Number()),
  valueAddedRatio: Nullable(Type.Number()),
  rolledPercentCompleteAccurate: Type.Number(),
  taktTimeMinutes: Type.Number(),
  expectedReworkMinutes: Type.Number(),
  leadTimeWithReworkMinutes: Type.Number(),
  leadTimeWithReworkDays: Days("lead time with rework"),
  minutesByClassification: Type.Record(Type.String(), Type.Number()),
  wasteTagCounts: Type.Record(Type.String(), Type.Number()),
  steps: Type.Array(
    Type.Object({
      stepId: Uuid(),
      name: Type.String(),
      classification: Classification,
      processMinutes: Type.Number(),
      waitMinutes: Type.Number(),
      waitDays: Days("wait before the step"),
      percentCompleteAccurate: Type.Number(),
      waitShare: Type.Number(),
      effectiveTaktMinutes: Type.Number({ description: "takt × the step's uptime (takt when not given)" }),
      overTakt: Type.Boolean({ description: "process time > effectiveTaktMinutes" }),
    }),
  ),
  waitRanking: Type.Array(
    Type.Object({
      stepId: Uuid(),
      name: Type.String(),
      waitMinutes: Type.Number(),
      waitDays: Days("wait before the step"),
      share: Type.Number(),
    }),
  ),
});

const MapSummary = Type.Object({ id: Uuid(), state: Type.String(), name: Type.String() });
export const StreamView = Type.Object({
  id: Uuid(),
  familyId: Uuid(),
  name: Type.String(),
  dailyDemand: Type.Number(),
  availableMinutesPerDay: Type.Number(),
  taktTimeMinutes: Type.Number(),
  wipPolicy: WipPolicy,
  clocks: Type.Unknown(),
  currentMapId: Uuid(),
  maps: Type.Array(MapSummary),
});
export const StreamMetricsView = Type.Object({
  asOf: Type.String({ format: "date-time" }),
  currentMapId: Uuid(),
  map: MapMetricsView,
  flow: Type.Unknown({
    description: "measured from work items: throughput, WIP, flow time, flow efficiency",
  }),
  futureStates: Type.Array(
    Type.Object({ mapId: Uuid(), name: Type.String(), map: MapMetricsView, deltas: Type.Unknown() }),
  ),
  published: Type.Unknown(),
});
export const Criterion = Type.Object(
  {
    metric: StreamMetricName,
    comparator: Type.Union([Type.Literal("at-most"), Type.Literal("at-least")]),
    target: Type.Number(),
  },
  { additionalProperties: false },
);
export const KaizenView = Type.Object({
  id: Uuid(),
  streamId: Uuid(),
  title: Type.String(),
  hypothesis: Type.String(),
  targetCondition: Type.String(),
  successCriteria: Type.Array(Criterion),
  linkedStepIds: Type.Array(Uuid()),
  keyResultId: Type.Union([Uuid(), Type.Null()]),
  status: Type.String(),
  baseline: Type.Unknown(),
  result: Type.Unknown(),
  resultNote: Type.Union([Type.String(), Type.Null()]),
  succeeded: Type.Union([Type.Boolean(), Type.Null()]),
  startedAt: Type.Union([Type.String(), Type.Null()]),
  completedAt: Type.Union([Type.String(), Type.Null()]),
});

export const Direction = Type.Union([Type.Literal("increase"), Type.Literal("decrease")], {
  description: "which way is better for the key result (flow efficiency up, lead time down)",
});
export const Binding = Type.Object({
  id: Uuid(),
  streamId: Uuid(),
  keyResultId: Uuid(),
  metric: StreamMetricName,
  direction: Direction,
  createdAt: Type.String({ format: "date-time" }),
});
export const PullBoard = Type.Object({
  streamId: Uuid(),
  wipPolicy: Type.String(),
  steps: Type.Array(
    Type.Object({
      stepId: Uuid(),
      name: Type.String(),
      wip: Type.Integer(),
      wipLimit: Type.Union([Type.Integer(), Type.Null()]),
      capacity: Type.Union([Type.Integer(), Type.Null()]),
      overLimit: Type.Boolean(),
      waitingUpstream: Type.Array(
        Type.Object({ itemId: Type.String(), since: Type.Union([Type.String(), Type.Null()]) }),
      ),
    }),
  ),
});
