import { createRequire } from "node:module";
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
} from "@temporalio/interceptors-opentelemetry";
import {
  bundleWorkflowCode,
  DefaultLogger,
  NativeConnection,
  Runtime,
  Worker,
  type WorkerOptions,
  type WorkflowBundleWithSourceMap,
} from "@temporalio/worker";
import type { TemporalEndpoint } from "./client.ts";

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

const quietBundlerLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: (message: string) => console.error(message),
};

/**
 * The workflow code at `workflowsPath` bundled by webpack for a worker a test starts: its progress stays
 * out of the test output, its errors do not.
 */
export function bundleWorkflowsQuietly(workflowsPath: string): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({ workflowsPath, logger: quietBundlerLogger });
}

export interface RunningWorker {
  worker: Worker;
  /** Shuts the worker down (unless it already stopped) and waits for its in-flight tasks. */
  stop(): Promise<void>;
}

/** A worker of the Temporal server at `endpoint`, polling `options.taskQueue` from now until `stop()`. */
export async function startWorker(
  endpoint: TemporalEndpoint,
  options: Omit<WorkerOptions, "connection" | "namespace">,
): Promise<RunningWorker> {
  const worker = await Worker.create({
    connection: await NativeConnection.connect({ address: endpoint.address }),
    namespace: endpoint.namespace,
    ...options,
  });
  const running = worker.run();
  return {
    worker,
    async stop() {
      if (worker.getState() === "RUNNING") worker.shutdown();
      await running;
    },
  };
}
