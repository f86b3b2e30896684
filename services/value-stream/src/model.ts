import {
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
import { Classification } from "./views.ts";

export { Classification, MapMetricsView, StreamMetricName, WipPolicy } from "./views.ts";

/** Request and response schemas shared by the routes, and the conversion of rows into the pure model. */

export const WasteTag = Type.Enum(WASTES);
export const EventKind = Type.Enum(["entered", "started", "blocked", "unblocked", "completed"]);

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
