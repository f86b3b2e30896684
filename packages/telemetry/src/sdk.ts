import { trace } from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { HttpInstrumentation } from "@opentelemetry/instrumentation-http";
import { PgInstrumentation } from "@opentelemetry/instrumentation-pg";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { NodeSDK } from "@opentelemetry/sdk-node";
import { BatchSpanProcessor, ConsoleSpanExporter, type SpanProcessor } from "@opentelemetry/sdk-trace";
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from "@opentelemetry/semantic-conventions";

/** Anything the SDK can register as an instrumentation (e.g. @fastify/otel's instrumentation). */
type Instrumentation = NonNullable<ConstructorParameters<typeof NodeSDK>[0]>["instrumentations"] extends
  | (infer I)[]
  | undefined
  ? I
  : never;

export interface TelemetryOptions {
  serviceName: string;
  serviceVersion?: string;
  /**
   * Where spans go. Default from the environment (see spanProcessorFromEnvironment).
   */
  spanProcessors?: SpanProcessor[];
  instrumentations?: Instrumentation[];
  env?: NodeJS.ProcessEnv;
}

export interface Telemetry {
  shutdown(): Promise<void>;
}

let active: { sdk: NodeSDK; refs: number } | undefined;

/**
 * Starts the OpenTelemetry NodeSDK once per process (W3C trace-context propagation, HTTP and pg
 * instrumentation). Later callers share it, so in-process tests can run several services.
 */
export function startTelemetry(options: TelemetryOptions): Telemetry {
  if (!active) {
    const sdk = new NodeSDK({
      resource: resourceFromAttributes({
        [ATTR_SERVICE_NAME]: options.env?.OTEL_SERVICE_NAME ?? options.serviceName,
        [ATTR_SERVICE_VERSION]: options.serviceVersion ?? "0.1.0",
      }),
      spanProcessors:
        options.spanProcessors ??
        [spanProcessorFromEnvironment(options.env ?? process.env)].filter(
          (processor) => processor !== undefined,
        ),
      instrumentations: [
        new HttpInstrumentation({
          ignoreIncomingRequestHook: (request) => /^\/(healthz|readyz)/.test(request.url ?? ""),
        }),
        new PgInstrumentation({ enhancedDatabaseReporting: false }),
        ...(options.instrumentations ?? []),
      ],
    });
    sdk.start();
    active = { sdk, refs: 0 };
  }
  active.refs += 1;
  let stopped = false;
  return {
    async shutdown() {
      if (stopped || !active) return;
      stopped = true;
      active.refs -= 1;
      if (active.refs === 0) {
        const { sdk } = active;
        active = undefined;
        await sdk.shutdown();
      }
    },
  };
}

/**
 * The span processor the environment asks for: OTLP (http/protobuf) when OTEL_EXPORTER_OTLP_ENDPOINT is
 * set or OTEL_TRACES_EXPORTER=otlp, spans printed with OTEL_TRACES_EXPORTER=console, none otherwise.
 * A process that exports spans from elsewhere too (the cycle worker's workflow spans) passes this one
 * processor to both places.
 */
export function spanProcessorFromEnvironment(env: NodeJS.ProcessEnv): SpanProcessor | undefined {
  const exporter = env.OTEL_TRACES_EXPORTER ?? (env.OTEL_EXPORTER_OTLP_ENDPOINT ? "otlp" : "none");
  if (exporter === "otlp") return new BatchSpanProcessor({ exporter: new OTLPTraceExporter() });
  if (exporter === "console") return new BatchSpanProcessor({ exporter: new ConsoleSpanExporter() });
  return undefined;
}

export const tracer = () => trace.getTracer("okr-platform");
