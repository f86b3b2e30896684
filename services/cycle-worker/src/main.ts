/**
 * The cycle worker process: polls task queue `okr-cycles` and runs the program, cycle and team-drafting
 * workflows with activities over the goals and scoring APIs and Kafka. Config from the environment (exit
 * 78 on a bad value), OpenTelemetry (workflow and activity spans join the callers' traces), graceful
 * shutdown on SIGTERM/SIGINT (in-flight activities finish within SHUTDOWN_GRACE_MS).
 */
import { setTimeout as sleep } from "node:timers/promises";
import { loadConfigOrExit } from "@okr/config";
import { CYCLE_TOPICS } from "@okr/events";
import { createKafkaBus, isRetriableKafkaError, retryUntil } from "@okr/messaging";
import { clientCredentialsTokens } from "@okr/service-kit";
import { spanProcessorFromEnvironment, startTelemetry } from "@okr/telemetry";
import { installTemporalRuntime, tracingWorkerOptions } from "@okr/temporal";
import { resourceFromAttributes } from "@opentelemetry/resources";
import type { ReadableSpan, SpanProcessor } from "@opentelemetry/sdk-trace";
import { NativeConnection, Worker } from "@temporalio/worker";
import { createCycleActivities } from "./activities.ts";
import { CycleWorkerConfigSchema, refineCycleWorkerConfig } from "./config.ts";
import { serviceCaller, WORKER_TOKEN_LIFETIME_SECONDS } from "./http.ts";
import { WORKFLOW_INTERCEPTOR_MODULES, workflowSource } from "./workflow-source.ts";

const SERVICE = "cycle-worker";
const config = loadConfigOrExit(CycleWorkerConfigSchema, process.env, refineCycleWorkerConfig);
const log = (level: "info" | "warn" | "error", message: string, extra: Record<string, unknown> = {}) =>
  process.stderr.write(
    `${JSON.stringify({ level, time: new Date().toISOString(), service: SERVICE, msg: message, ...extra })}\n`,
  );

const noSpans: SpanProcessor = {
  onStart: () => undefined,
  onEnd: (_span: ReadableSpan) => undefined,
  forceFlush: async () => undefined,
  shutdown: async () => undefined,
};

/** One span processor for the SDK and for the workflow spans that leave the sandbox through a sink. */
const processor = spanProcessorFromEnvironment(process.env);
const telemetry = startTelemetry({ serviceName: SERVICE, spanProcessors: processor ? [processor] : [] });
const logLevel = config.LOG_LEVEL as string;
installTemporalRuntime(logLevel === "debug" || logLevel === "trace" ? "DEBUG" : "WARN");

const auth = config.AUTH_JWT_SECRET
  ? { secret: config.AUTH_JWT_SECRET, issuer: config.AUTH_JWT_ISSUER }
  : undefined;
// With an identity provider configured, the worker's tokens come from it (client credentials).
const tokens =
  config.AUTH_OIDC_ISSUER && config.AUTH_OIDC_CLIENT_ID && config.AUTH_OIDC_CLIENT_SECRET
    ? clientCredentialsTokens({
        issuer: config.AUTH_OIDC_ISSUER,
        clientId: config.AUTH_OIDC_CLIENT_ID,
        clientSecret: config.AUTH_OIDC_CLIENT_SECRET,
        ...(config.AUTH_OIDC_TOKEN_ENDPOINT ? { tokenEndpoint: config.AUTH_OIDC_TOKEN_ENDPOINT } : {}),
      })
    : undefined;
const tokenLifetimeSeconds = Math.min(WORKER_TOKEN_LIFETIME_SECONDS, config.AUTH_MAX_TOKEN_LIFETIME_SECONDS);
const bus = createKafkaBus({
  brokers: config.KAFKA_BROKERS,
  clientId: config.KAFKA_CLIENT_ID ?? SERVICE,
  log: (level, message, extra) => log(level, message, extra),
});

let stopping = false;
const stopped = new AbortController();
let worker: Worker | undefined;
const stop = (signal: string) => {
  if (stopping) return;
  stopping = true;
  log("info", `${signal}: finishing in-flight tasks, then stopping`);
  stopped.abort();
  if (worker?.getState() === "RUNNING") worker.shutdown();
};
process.once("SIGTERM", () => stop("SIGTERM"));
process.once("SIGINT", () => stop("SIGINT"));

// Kafka and Temporal may still be starting (a fresh machine, a restart): wait for them, logging once.
const producer = bus.producer();
await retryUntil(
  async () => {
    await bus.ensureTopics([CYCLE_TOPICS.notifications]);
    await producer.connect();
  },
  { what: "Kafka", retriable: isRetriableKafkaError, signal: stopped.signal, log },
);

const source = workflowSource(config.WORKFLOW_BUNDLE_PATH);
if (!source.prebuilt) {
  const advice =
    "no prebuilt workflow bundle; bundling the sources now (run `npm run build -w @okr/cycle-worker`)";
  log(config.NODE_ENV === "production" ? "warn" : "info", advice);
}
const tracing = tracingWorkerOptions({
  processor: processor ?? noSpans,
  resource: resourceFromAttributes({ "service.name": process.env.OTEL_SERVICE_NAME ?? SERVICE }),
});
const activities = createCycleActivities({
  goals: serviceCaller({ baseUrl: config.GOALS_URL, auth, tokens, tokenLifetimeSeconds }),
  scoring: serviceCaller({ baseUrl: config.SCORING_URL, auth, tokens, tokenLifetimeSeconds }),
  producer,
});

async function createWorker(connection: NativeConnection): Promise<Worker> {
  return Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    ...source.options,
    activities,
    sinks: tracing.sinks,
    interceptors: {
      activity: tracing.interceptors?.activity ?? [],
      // A prebuilt bundle already carries the workflow interceptors (scripts/build-workflow-bundle.ts).
      ...(source.prebuilt ? {} : { workflowModules: WORKFLOW_INTERCEPTOR_MODULES }),
    },
    shutdownGraceTime: config.SHUTDOWN_GRACE_MS,
  });
}

let connection: NativeConnection | undefined;
let exitCode = 0;
let failures = 0;
try {
  // A worker that fails while not asked to stop (Temporal gone for good, say) is created again.
  while (!stopping) {
    const created = await retryUntil(
      async () => {
        connection ??= await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
        worker = await createWorker(connection);
      },
      { what: "Temporal worker", signal: stopped.signal, log },
    );
    if (!created || !worker || stopping) break;
    log("info", "polling", {
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      namespace: config.TEMPORAL_NAMESPACE,
      temporal: config.TEMPORAL_ADDRESS,
      workflowCode: source.prebuilt ? "prebuilt bundle" : "sources",
    });
    try {
      await worker.run();
      failures = 0;
    } catch (error) {
      if (stopping) throw error;
      failures += 1;
      log("error", "worker failed; starting it again", { error: String(error) });
      await connection?.close().catch(() => undefined);
      connection = undefined;
      await sleep(Math.min(5_000, 200 * 2 ** failures), undefined, { signal: stopped.signal }).catch(
        () => undefined,
      );
    }
  }
} catch (error) {
  log("error", "worker failed", { error: String(error) });
  exitCode = 1;
} finally {
  await producer.disconnect().catch(() => undefined);
  await connection?.close().catch(() => undefined);
  await telemetry.shutdown().catch(() => undefined);
  log("info", "stopped");
}
process.exit(exitCode);
