import { createRequire } from "node:module";
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
} from "@temporalio/interceptors-opentelemetry";
import { DefaultLogger, Runtime, type WorkerOptions } from "@temporalio/worker";

const require = createRequire(import.meta.url);

/** The parts of a span processor and resource Temporal's workflow span sink needs (its own OTel 1.x typings). */
type WorkflowSpanProcessor = Parameters<typeof makeWorkflowExporter>[0];
type WorkflowSpanResource = Parameters<typeof makeWorkflowExporter>[1];

/**
 * Worker options that trace activities (spans from the process-wide OpenTelemetry SDK, parented on the
 * workflow's context) and workflow code (its spans leave the deterministic sandbox through a sink into
 * `workflowSpans.processor`: pass the same processor the process's SDK exports with).
 */
export function tracingWorkerOptions(workflowSpans: {
  processor: unknown;
  resource: unknown;
}): Pick<WorkerOptions, "interceptors" | "sinks"> {
  return {
    interceptors: {
      activity: [
        (ctx) => ({
          inbound: new OpenTelemetryActivityInboundInterceptor(ctx),
          outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
        }),
      ],
      workflowModules: [require.resolve("@temporalio/interceptors-opentelemetry/lib/workflow-interceptors")],
    },
    sinks: {
      exporter: makeWorkflowExporter(
        workflowSpans.processor as WorkflowSpanProcessor,
        workflowSpans.resource as WorkflowSpanResource,
      ),
    },
  };
}

let runtimeInstalled = false;

/** Worker-side SDK logging at `level` (once per process; Temporal allows one Runtime). */
export function installTemporalRuntime(level: "ERROR" | "WARN" | "INFO" | "DEBUG" = "WARN"): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  Runtime.install({ logger: new DefaultLogger(level) });
}
