import { StreamMetric } from "@okr/events";
import {
  CLASSIFICATIONS,
  type Clocks,
  DEFAULT_CLOCKS,
  type MapStep,
  type ReworkLink,
  WASTES,
  type Waste,
} from "@okr/flow-metrics";
import { Uuid } from "@okr/service-kit";
import { Type } from "typebox";
import type { Prisma, Step } from "./generated/prisma/client.ts";

/** Request and response schemas shared by the routes, and the conversion of rows into the pure model. */

export const Classification = Type.Enum(CLASSIFICATIONS);
export const WasteTag = Type.Enum(WASTES);
export const EventKind = Type.Enum(["entered", "started", "blocked", "unblocked", "completed"]);
export const StreamMetricName = StreamMetric();
export const WipPolicy = Type.Union([Type.Literal("reject"), Type.Literal("flag")]);

const Minutes = (description: string) => Type.Number({ minimum: 0, maximum: 1e9, description });

const stepFields = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  classification: Classification,
  processMinutes: Minutes("process (touch) time in minutes"),
  waitMinutes: Type.Optional(Minutes("wait before the step, in minutes")),
  waitInventoryUnits: Type.Optional(
    Type.Number({
      minimum: 0,
      maximum: 1e9,
      description: "wait given as units of inventory, converted to days at the stream's daily demand",
    }),
  ),
  percentCompleteAccurate: Type.Number({ minimum: 0, maximum: 1, description: "%C&A as a fraction 0..1" }),
  wipLimit: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: 1_000_000 }), Type.Null()])),
  wasteTags: Type.Optional(Type.Array(WasteTag, { uniqueItems: true, maxItems: 8 })),
  changeoverMinutes: Type.Optional(
    Type.Union([
      Minutes("changeover time (C/O): minutes to switch the step to another product"),
      Type.Null(),
    ]),
  ),
  uptimePercent: Type.Optional(
    Type.Union([
      Type.Number({
        exclusiveMinimum: 0,
        maximum: 100,
        description:
          "share of the available time the step can work, in percent; takt × uptime is what it must meet",
      }),
      Type.Null(),
    ]),
  ),
};

export const StepInput = Type.Object(stepFields, { additionalProperties: false });
export const NewStepBody = Type.Object(
  {
    ...stepFields,
    position: Type.Optional(
      Type.Integer({ minimum: 0, description: "insert before this index; default: append" }),
    ),
  },
  { additionalProperties: false },
);
export const StepPatch = Type.Partial(Type.Object(stepFields, { additionalProperties: false }), {
  additionalProperties: false,
  minProperties: 1,
});

export const ClockEdgeSchema = Type.Object(
  { kind: EventKind, stepId: Type.Union([Uuid(), Type.Null()]) },
  { additionalProperties: false },
);
export const ClocksInput = Type.Partial(
  Type.Object(
    {
      leadStart: ClockEdgeSchema,
      leadStop: ClockEdgeSchema,
      flowStart: ClockEdgeSchema,
      flowStop: ClockEdgeSchema,
    },
    { additionalProperties: false },
  ),
  { additionalProperties: false },
);

export const StepView = Type.Object({
  id: Uuid(),
  mapId: Uuid(),
  position: Type.Integer(),
  name: Type.String(),
  classification: Classification,
  processMinutes: Type.Number(),
  waitMinutes: Type.Number({ description: "effective wait in minutes (inventory converted)" }),
  waitInventoryUnits: Type.Union([Type.Number(), Type.Null()]),
  percentCompleteAccurate: Type.Number(),
  wipLimit: Type.Union([Type.Integer(), Type.Null()]),
  wasteTags: Type.Array(Type.String()),
  changeoverMinutes: Type.Union([Type.Number(), Type.Null()], { description: "null when not given" }),
  uptimePercent: Type.Union([Type.Number(), Type.Null()], {
    description: "null when not given (counts as 100)",
  }),
});

const Nullable = (schema: ReturnType<typeof Type.Number>) => Type.Union([schema, Type.Null()]);
const Days = (what: string) =>
  Type.Number({ description: `${what} in working days (minutes / the stream's available minutes per day)` });

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

export const ReworkLinkSchema = Type.Object(
  {
    fromStepId: Uuid(),
    toStepId: Uuid(),
    rate: Type.Number({ minimum: 0, exclusiveMaximum: 1, description: "share of items sent back upstream" }),
  },
  { additionalProperties: false },
);

export interface DemandRow {
  dailyDemand: number;
  availableMinutesPerDay: number;
}

export function toMapStep(step: Step): MapStep {
  return {
    id: step.id,
    name: step.name,
    classification: step.classification as MapStep["classification"],
    processMinutes: step.processMinutes,
    wait:
      step.waitInventoryUnits !== null
        ? { inventoryUnits: step.waitInventoryUnits }
        : { minutes: step.waitMinutes ?? 0 },
    percentCompleteAccurate: step.percentCompleteAccurate,
    wipLimit: step.wipLimit,
    wasteTags: step.wasteTags as Waste[],
    changeoverMinutes: step.changeoverMinutes,
    uptimePercent: step.uptimePercent,
  };
}

export function presentStep(step: Step, demand: DemandRow) {
  return {
    id: step.id,
    mapId: step.mapId,
    position: step.position,
    name: step.name,
    classification: step.classification as MapStep["classification"],
    processMinutes: step.processMinutes,
    waitMinutes:
      step.waitInventoryUnits !== null
        ? (step.waitInventoryUnits / demand.dailyDemand) * demand.availableMinutesPerDay
        : (step.waitMinutes ?? 0),
    waitInventoryUnits: step.waitInventoryUnits,
    percentCompleteAccurate: step.percentCompleteAccurate,
    wipLimit: step.wipLimit,
    wasteTags: step.wasteTags as Waste[],
    changeoverMinutes: step.changeoverMinutes,
    uptimePercent: step.uptimePercent,
  };
}

export const reworkLinksOf = (json: Prisma.JsonValue): ReworkLink[] =>
  Array.isArray(json) ? (json as unknown as ReworkLink[]) : [];
export const clocksOf = (json: Prisma.JsonValue): Clocks => ({
  ...DEFAULT_CLOCKS,
  ...(json as Partial<Clocks>),
});
