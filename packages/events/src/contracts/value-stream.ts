import { Type } from "typebox";
import { defineEvent } from "../registry.ts";
import { Id, Text, Timestamp } from "./common.ts";

export const VALUE_STREAM_TOPICS = {
  streams: "okr.value-stream.streams",
  workItems: "okr.value-stream.work-items",
  metrics: "okr.value-stream.metrics",
} as const;

const producer = "value-stream";

export const StreamMetric = () =>
  Type.Union(
    [
      "lead-time",
      "process-time",
      "flow-efficiency",
      "rolled-percent-complete-accurate",
      "throughput",
      "wip",
      "flow-time-p85",
    ].map((metric) => Type.Literal(metric)),
  );

export const StepChanged = defineEvent({
  type: "okr.value-stream.step-changed.v1",
  topic: VALUE_STREAM_TOPICS.streams,
  producer,
  summary:
    "A value-stream step was added, changed or removed (classification, times, %C&A, WIP limit, waste tags).",
  schema: Type.Object({
    streamId: Id(),
    stepId: Id(),
    name: Text(200),
    classification: Type.Union(
      ["value-adding", "necessary-non-value-adding", "waste"].map((classification) =>
        Type.Literal(classification),
      ),
    ),
    processTimeMinutes: Type.Number({ minimum: 0 }),
    waitTimeMinutes: Type.Number({ minimum: 0 }),
    percentCompleteAccurate: Type.Number({ minimum: 0, maximum: 1 }),
    removed: Type.Boolean(),
  }),
  partitionKey: (data) => data.streamId,
  subject: (data) => data.stepId,
});

export const WorkItemMoved = defineEvent({
  type: "okr.value-stream.work-item-moved.v1",
  topic: VALUE_STREAM_TOPICS.workItems,
  producer,
  summary: "A work item entered, started, was blocked/unblocked in, or completed a step.",
  schema: Type.Object({
    streamId: Id(),
    itemId: Text(200),
    stepId: Id(),
    kind: Type.Union(
      ["entered", "started", "blocked", "unblocked", "completed"].map((kind) => Type.Literal(kind)),
    ),
    reason: Type.Optional(Text(500)),
    at: Timestamp(),
  }),
  partitionKey: (data) => data.itemId,
  subject: (data) => data.itemId,
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
  partitionKey: (data) => data.streamId,
  subject: (data) => data.streamId,
});

export const valueStreamEvents = [StepChanged, WorkItemMoved, MetricUpdated] as const;
