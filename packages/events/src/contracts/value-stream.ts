import { Type } from "typebox";
import { defineEvent } from "../registry.ts";
import { Id, keyedBy, Nullable, Text, Timestamp } from "./common.ts";

export const VALUE_STREAM_TOPICS = {
  streams: "okr.value-stream.streams",
  workItems: "okr.value-stream.work-items",
  metrics: "okr.value-stream.metrics",
} as const;

const producer = "value-stream";

export const StreamMetric = () =>
  Type.Enum([
    "lead-time",
    "process-time",
    "flow-efficiency",
    "rolled-percent-complete-accurate",
    "throughput",
    "wip",
    "flow-time-p85",
  ]);

/** The eight wastes, as @okr/flow-metrics lists them (see the note in common.ts). */
const WASTE_TAGS = [
  "defects",
  "overproduction",
  "waiting",
  "non-utilized-talent",
  "transportation",
  "inventory",
  "motion",
  "extra-processing",
] as const;

export const ProductFamilyChanged = defineEvent({
  type: "okr.value-stream.product-family-changed.v1",
  topic: VALUE_STREAM_TOPICS.streams,
  producer,
  summary:
    "A product family and its value statement (from the end customer's standpoint) was created or changed.",
  schema: Type.Object({
    familyId: Id(),
    name: Text(200),
    customer: Text(200),
    valueStatement: Text(2000),
  }),
  ...keyedBy("familyId"),
});

export const ValueStreamChanged = defineEvent({
  type: "okr.value-stream.stream-changed.v1",
  topic: VALUE_STREAM_TOPICS.streams,
  producer,
  summary:
    "A value stream was created or changed: its settings (demand, WIP policy, clocks), a new map, or a map's step order and rework links.",
  schema: Type.Object({
    streamId: Id(),
    familyId: Id(),
    name: Text(200),
    change: Type.Enum(["created", "updated", "map-created", "sequence-changed"]),
    mapId: Type.Optional(Id()),
    dailyDemand: Type.Number({ exclusiveMinimum: 0 }),
    availableMinutesPerDay: Type.Number({ exclusiveMinimum: 0 }),
    wipPolicy: Type.Union([Type.Literal("reject"), Type.Literal("flag")]),
  }),
  ...keyedBy("streamId"),
});

export const StepChanged = defineEvent({
  type: "okr.value-stream.step-changed.v1",
  topic: VALUE_STREAM_TOPICS.streams,
  producer,
  summary:
    "A value-stream step was added, changed or removed (classification, times, %C&A, WIP limit, waste tags, changeover, uptime).",
  schema: Type.Object({
    streamId: Id(),
    stepId: Id(),
    name: Text(200),
    classification: Type.Enum(["value-adding", "necessary-non-value-adding", "waste"]),
    processTimeMinutes: Type.Number({ minimum: 0 }),
    waitTimeMinutes: Type.Number({ minimum: 0 }),
    percentCompleteAccurate: Type.Number({ minimum: 0, maximum: 1 }),
    removed: Type.Boolean(),
    mapId: Type.Optional(Id()),
    position: Type.Optional(Type.Integer({ minimum: 0 })),
    wipLimit: Type.Optional(Nullable(Type.Integer({ minimum: 1 }))),
    wasteTags: Type.Optional(Type.Array(Type.Enum(WASTE_TAGS))),
    /** Set when the wait was given as inventory (waitTimeMinutes is then converted at the daily demand). */
    waitInventoryUnits: Type.Optional(Nullable(Type.Number({ minimum: 0 }))),
    /** Changeover time in minutes; null or absent when not given. */
    changeoverMinutes: Type.Optional(Nullable(Type.Number({ minimum: 0 }))),
    /** Uptime in percent (0, 100]; null or absent when not given. */
    uptimePercent: Type.Optional(Nullable(Type.Number({ exclusiveMinimum: 0, maximum: 100 }))),
  }),
  ...keyedBy("streamId", "stepId"),
});

/** Largest number of moves (or registrations) one event carries: keeps Kafka messages well under 1 MB. */
export const MAX_MOVES_PER_EVENT = 500;

export const WorkItemsRegistered = defineEvent({
  type: "okr.value-stream.work-items-registered.v1",
  topic: VALUE_STREAM_TOPICS.workItems,
  producer,
  summary:
    "Work items (features, defects, risks, debt...) were registered in a value stream, at most 500 per event; their moves follow on the same key.",
  schema: Type.Object({
    streamId: Id(),
    items: Type.Array(Type.Object({ itemId: Text(200), type: Text(60), title: Text(500) }), {
      minItems: 1,
      maxItems: MAX_MOVES_PER_EVENT,
    }),
  }),
  ...keyedBy("streamId"),
});

export const WorkItemsMoved = defineEvent({
  type: "okr.value-stream.work-items-moved.v1",
  topic: VALUE_STREAM_TOPICS.workItems,
  producer,
  summary:
    "Work items entered, started, were blocked/unblocked in, or completed steps of a stream: one accepted ingestion batch (split into events of at most 500 moves), each item's moves in the order they happened. Keyed by stream, so a stream's moves arrive in order.",
  schema: Type.Object({
    streamId: Id(),
    moves: Type.Array(
      Type.Object({
        itemId: Text(200),
        stepId: Id(),
        kind: Type.Enum(["entered", "started", "blocked", "unblocked", "completed"]),
        reason: Type.Optional(Text(500)),
        at: Timestamp(),
        /** Entered a step already at its WIP limit (stream policy `flag`). */
        overWipLimit: Type.Optional(Type.Boolean()),
      }),
      { minItems: 1, maxItems: MAX_MOVES_PER_EVENT },
    ),
  }),
  ...keyedBy("streamId"),
});

export const MetricUpdated = defineEvent({
  type: "okr.value-stream.metric-updated.v1",
  topic: VALUE_STREAM_TOPICS.metrics,
  producer,
  summary:
    "A stream metric has a new value. For each key result bound to the metric, the goals service records a system check-in with this snapshot as evidence.",
  schema: Type.Object({
    streamId: Id(),
    metric: StreamMetric(),
    value: Type.Number(),
    unit: Text(40),
    boundKeyResultIds: Type.Array(Id()),
    snapshot: Type.Record(Type.String(), Type.Number()),
    measuredAt: Timestamp(),
  }),
  ...keyedBy("streamId"),
});

export const KaizenChanged = defineEvent({
  type: "okr.value-stream.kaizen-changed.v1",
  topic: VALUE_STREAM_TOPICS.streams,
  producer,
  summary:
    "An improvement (kaizen / PDCA) experiment was planned, started or completed; on completion it carries whether its success criteria were met.",
  schema: Type.Object({
    kaizenId: Id(),
    streamId: Id(),
    title: Text(300),
    status: Type.Enum(["planned", "running", "completed"]),
    linkedStepIds: Type.Array(Id()),
    keyResultId: Nullable(Id()),
    succeeded: Nullable(Type.Boolean()),
  }),
  ...keyedBy("streamId", "kaizenId"),
});

export const KeyResultBindingChanged = defineEvent({
  type: "okr.value-stream.key-result-binding-changed.v1",
  topic: VALUE_STREAM_TOPICS.metrics,
  producer,
  summary:
    "A key result was bound to (or unbound from) a stream metric. Shares the metrics topic and key, so a binding arrives before the first MetricUpdated that names it.",
  schema: Type.Object({
    bindingId: Id(),
    streamId: Id(),
    keyResultId: Id(),
    metric: StreamMetric(),
    direction: Type.Union([Type.Literal("increase"), Type.Literal("decrease")]),
    removed: Type.Boolean(),
  }),
  ...keyedBy("streamId", "keyResultId"),
});

export const valueStreamEvents = [
  ProductFamilyChanged,
  ValueStreamChanged,
  StepChanged,
  WorkItemsRegistered,
  WorkItemsMoved,
  KaizenChanged,
  KeyResultBindingChanged,
  MetricUpdated,
] as const;
