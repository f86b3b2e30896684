export {
  activeTraceId,
  contextFromTraceparent,
  currentTraceparent,
  injectTraceHeaders,
  SpanKind,
  type SpanOptions,
  withSpan,
} from "./context.ts";
export { createInMemoryTracing, type ReadableSpan } from "./in-memory.ts";
export {
  spanProcessorFromEnvironment,
  startTelemetry,
  type Telemetry,
  type TelemetryOptions,
  tracer,
} from "./sdk.ts";
