/**
 * The roll-up thread's entry point (see RollUpThread): a pool of its own, and one roll-up at a time for
 * the tenants the consumer sends, each continuing the trace the consumer passes along.
 */
import { parentPort, workerData } from "node:worker_threads";
import { createPool } from "@okr/database";
import { contextFromTraceparent, startTelemetry } from "@okr/telemetry";
import type { RollUpReply, RollUpRequest, RollUpThreadOptions } from "./roll-up-thread.ts";
import { rollUpTenant } from "./scorer/index.ts";

const options = workerData as RollUpThreadOptions;
// The thread's own SDK (same environment as the process): its spans and pg queries join the consumer's
// traces, and score events carry the roll-up span's traceparent.
const telemetry = startTelemetry({ serviceName: "scoring" });
const pool = createPool({
  connectionString: options.connectionString,
  max: 2,
  applicationName: options.applicationName,
});
const port = parentPort!;

port.on("message", (message: RollUpRequest | { close: true }) => {
  if ("close" in message) {
    void pool
      .end()
      .then(() => telemetry.shutdown())
      .finally(() => port.close());
    return;
  }
  const { id, tenant, traceparent } = message;
  rollUpTenant(pool, tenant, contextFromTraceparent(traceparent)).then(
    (result) => port.postMessage({ id, result } satisfies RollUpReply),
    (error: Error) => port.postMessage({ id, error: error?.message ?? String(error) } satisfies RollUpReply),
  );
});
