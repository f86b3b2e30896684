import type { AddressInfo } from "node:net";
import { createCycleActivities } from "@okr/cycle-worker/src/activities.ts";
import { serviceCaller } from "@okr/cycle-worker/src/http.ts";
import type { CycleResult, CycleStatus, RunCycleRequest } from "@okr/cycle-workflows";
import { getCycleStatus, startCycleRun, WORKFLOWS_PATH } from "@okr/cycle-workflows";
import {
  bundleWorkflowsQuietly,
  connectTemporalClient,
  installTemporalRuntime,
  startWorker,
} from "@okr/temporal";
import { type TestService, testBus, testEndpoints } from "@okr/testkit";
import type { Client } from "@temporalio/client";

/** The cycle worker as the end-to-end tests run it: in the test's process, on a task queue of its own. */

/** What the test services sign and check tokens with. */
const AUTH = { secret: "integration-test-secret-0123456789", issuer: "okr-platform" };

/** Serves a test service on a free port (unless the test already does), for callers over HTTP; answers its base URL. */
async function listen(service: TestService<unknown>): Promise<string> {
  if (!service.app.server.listening) await service.app.listen({ port: 0, host: "127.0.0.1" });
  const { port } = service.app.server.address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}

export interface CycleWorker {
  /** A client of the same Temporal server. */
  client: Client;
  /**
   * Starts the run of `request`'s cycle of `tenantId` on this worker's task queue (the goals API would
   * start it on the default one).
   */
  startRun(tenantId: string, request: RunCycleRequest): Promise<CycleRun>;
  stop(): Promise<void>;
}

/** A cycle's run on the test's worker. */
export interface CycleRun {
  cycleWorkflowId: string;
  /** The cycle's status, as its workflow answers it now. */
  status(): Promise<CycleStatus>;
  /** What the cycle workflow returns once the cycle closed. */
  result(): Promise<CycleResult>;
}

/**
 * The cycle worker polling `taskQueue` on the Temporal dev server: today's workflow code, bundled from
 * source, with the worker's real activities, which call goals and scoring over HTTP and publish to the
 * test broker with a producer of their own.
 */
export async function startCycleWorker(options: {
  goals: TestService<unknown>;
  scoring: TestService<unknown>;
  taskQueue: string;
}): Promise<CycleWorker> {
  const [goalsUrl, scoringUrl] = await Promise.all([listen(options.goals), listen(options.scoring)]);
  const producer = testBus().producer();
  await producer.connect();
  installTemporalRuntime("WARN");
  const endpoints = testEndpoints();
  const temporal = { address: endpoints.TEMPORAL_ADDRESS, namespace: endpoints.TEMPORAL_NAMESPACE };
  const client = await connectTemporalClient(temporal);
  const { code } = await bundleWorkflowsQuietly(WORKFLOWS_PATH);
  const worker = await startWorker(temporal, {
    taskQueue: options.taskQueue,
    workflowBundle: { code },
    activities: createCycleActivities({
      goals: serviceCaller({ baseUrl: goalsUrl, auth: AUTH }),
      scoring: serviceCaller({ baseUrl: scoringUrl, auth: AUTH }),
      producer,
    }),
  });
  return {
    client,
    async startRun(tenantId, request) {
      const { cycleWorkflowId } = await startCycleRun(client, tenantId, request, options.taskQueue);
      return {
        cycleWorkflowId,
        status: () => getCycleStatus(client, tenantId, request.cycleId),
        result: async () => (await client.workflow.getHandle(cycleWorkflowId).result()) as CycleResult,
      };
    },
    async stop() {
      await worker.stop();
      await producer.disconnect();
    },
  };
}
