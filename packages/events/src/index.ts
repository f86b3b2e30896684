export { ALL_EVENTS } from "./catalog/all-events.ts";
export * from "./contracts/cycle.ts";
export * from "./contracts/goals.ts";
export * from "./contracts/notifier.ts";
export * from "./contracts/scoring.ts";
export * from "./contracts/value-stream.ts";
export {
  type EnvelopeAttributes,
  EnvelopeAttributesSchema,
  type EventEnvelope,
  envelopeSchema,
  newEventId,
} from "./envelope.ts";
export { isUuid, uuidv7 } from "./ids.ts";
export {
  createEvent,
  defineEvent,
  type EventContext,
  type EventData,
  type EventDefinition,
  EventRegistry,
  InvalidEventError,
  type InvalidEventReason,
  schemaUrn,
} from "./registry.ts";
