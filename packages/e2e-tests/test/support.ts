import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import { createCycleActivities } from "@okr/cycle-worker/src/activities.ts";
import { serviceCaller } from "@okr/cycle-worker/src/http.ts";
import { WORKFLOWS_PATH } from "@okr/cycle-workflows";
import type { MessageProducer } from "@okr/messaging";
import { bundleWorkflowsQuietly, connectTemporalClient, installTemporalRuntime } from "@okr/temporal";
import { type TestService, testEndpoints } from "@okr/testkit";
import type { Client } from "@temporalio/client";
import { NativeConnection, Worker } from "@temporalio/worker";

/** Shared set-up of the end-to-end tests: calls into the services, the cycle worker, a value stream. */

/** What the test services sign and check tokens with. */
const AUTH = { secret: "integration-test-secret-0123456789", issuer: "okr-platform" };

type Method = "GET" | "POST" | "PUT";
type Role = "admin" | "leader" | "member";

/**
 * Calls a service's API in-process as a person of `tenantId`: its admin `adminId` unless `as` says who;
 * an answer that is not a success throws with its status and body.
 */
export function tenantCaller(tenantId: string, adminId: string) {
  return async (
    service: TestService<unknown>,
    method: Method,
    url: string,
    payload?: object,
    as: { roles: Role[]; subject: string } = { roles: ["admin"], subject: adminId },
  ) => {
    const token = await service.token(as.roles, tenantId, as.subject);
    const response = await service.app.inject({
      method,
      url,
      ...(payload ? { payload } : {}),
      headers: { authorization: `Bearer ${token}` },
    });
    if (response.statusCode >= 300)
      throw new Error(`${method} ${url} -> ${response.statusCode}: ${response.body}`);
    return response.json();
  };
}
export type Caller = ReturnType<typeof tenantCaller>;

/** A person of the organization in goals, with the leader role (and an email of their own). */
export async function leaderPerson(call: Caller, goals: TestService<unknown>, name: string) {
  return (await call(goals, "POST", "/people", {
    name,
    email: `${name.toLowerCase()}-${randomUUID().slice(0, 8)}@example.com`,
    roles: ["leader"],
  })) as { id: string };
}

/** A cycle in goals that began 30 days ago and ends in 60 (Europe/Berlin), named `name` and a unique suffix. */
export function currentCycle(call: Caller, goals: TestService<unknown>, name: string) {
  const now = Date.now();
  return call(goals, "POST", "/cycles", {
    name: `${name}-${randomUUID().slice(0, 8)}`,
    startsAt: new Date(now - 30 * 86_400_000).toISOString(),
    endsAt: new Date(now + 60 * 86_400_000).toISOString(),
    timeZone: "Europe/Berlin",
  });
}

/** Serves a test service on a free port, for callers over HTTP; answers its base URL. */
async function listen(service: TestService<unknown>): Promise<string> {
  await service.app.listen({ port: 0, host: "127.0.0.1" });
  const { port } = service.app.server.address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}

export interface CycleWorker {
  /** A client of the same Temporal server. */
  client: Client;
  stop(): Promise<void>;
}

/**
 * The cycle worker polling `taskQueue` on the Temporal dev server: today's workflow code, bundled from
 * source, with the worker's real activities, which call goals and scoring over HTTP and publish with
 * `producer`.
 */
export async function startCycleWorker(options: {
  goals: TestService<unknown>;
  scoring: TestService<unknown>;
  producer: MessageProducer;
  taskQueue: string;
}): Promise<CycleWorker> {
  const [goalsUrl, scoringUrl] = await Promise.all([listen(options.goals), listen(options.scoring)]);
  installTemporalRuntime("WARN");
  const endpoints = testEndpoints();
  const client = await connectTemporalClient({
    address: endpoints.TEMPORAL_ADDRESS,
    namespace: endpoints.TEMPORAL_NAMESPACE,
  });
  const { code } = await bundleWorkflowsQuietly(WORKFLOWS_PATH);
  const worker = await Worker.create({
    connection: await NativeConnection.connect({ address: endpoints.TEMPORAL_ADDRESS }),
    namespace: endpoints.TEMPORAL_NAMESPACE,
    taskQueue: options.taskQueue,
    workflowBundle: { code },
    activities: createCycleActivities({
      goals: serviceCaller({ baseUrl: goalsUrl, auth: AUTH }),
      scoring: serviceCaller({ baseUrl: scoringUrl, auth: AUTH }),
      producer: options.producer,
    }),
  });
  const running = worker.run();
  return {
    client,
    async stop() {
      if (worker.getState() === "RUNNING") worker.shutdown();
      await running;
    },
  };
}

/**
 * A value stream to bind key results to: mortgage approval in three value-adding steps (10 minutes of
 * work, 30 of waiting each), in its product family.
 */
export async function mortgageApprovalStream(call: Caller, valueStream: TestService<unknown>) {
  const family = await call(valueStream, "POST", "/product-families", {
    name: "Mortgages",
    customer: "home buyers",
    valueStatement: "a yes or no on my mortgage within a day",
  });
  return call(valueStream, "POST", "/streams", {
    familyId: family.id,
    name: "Mortgage approval",
    dailyDemand: 20,
    availableMinutesPerDay: 480,
    steps: ["Apply", "Underwrite", "Offer"].map((name) => ({
      name,
      classification: "value-adding",
      processMinutes: 10,
      waitMinutes: 30,
      percentCompleteAccurate: 0.9,
    })),
  });
}
