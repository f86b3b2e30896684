import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { defineEvent, EventRegistry } from "@okr/events";
import {
  EventConsumer,
  MESSAGING_TABLES_SQL,
  OutboxRelay,
  pgTransaction,
  publishEvent,
} from "@okr/messaging";
import { createServiceApp, signToken } from "@okr/service-kit";
import { createInMemoryTracing, startTelemetry } from "@okr/telemetry";
import {
  connectTemporalClient,
  installTemporalRuntime,
  startWorker,
  tracingWorkerOptions,
} from "@okr/temporal";
import {
  createTestDatabase,
  rewindConsumerGroup,
  testBus,
  testEndpoints,
  uniqueName,
  waitFor,
} from "@okr/testkit";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { WorkflowExecutionAlreadyStartedError } from "@temporalio/client";
import { Type } from "typebox";
import { describe, expect, it } from "vitest";
import * as activities from "./smoke/welcome-activities.ts";

/**
 * The platform's whole path on the real stack: an HTTP write commits a row and its outbox event in one
 * transaction; the relay publishes it to Kafka; a consumer gets it twice (the group is rewound to force
 * redelivery) and applies it once; the consumer starts a Temporal workflow that completes on the dev
 * server; every span of the path shares one trace id.
 */
describe("platform smoke test", () => {
  it("carries one write from HTTP through outbox, Kafka and a consumer into a completed workflow, in one trace", async () => {
    const tracing = createInMemoryTracing();
    const telemetry = startTelemetry({ serviceName: "platform-smoke", spanProcessors: [tracing.processor] });
    installTemporalRuntime("WARN");
    const endpoints = testEndpoints();
    const auth = { secret: "smoke-test-secret-0123456789", issuer: "okr-smoke" };
    const OrganizationRegistered = defineEvent({
      type: "okr.smoke-organization.registered.v1",
      topic: uniqueName("okr.smoke.organizations"),
      producer: "smoke-test",
      summary: "smoke test event",
      schema: Type.Object({ organizationId: Type.String({ format: "uuid" }), name: Type.String() }),
      partitionKey: (data) => data.organizationId,
    });
    const db = await createTestDatabase({
      sql: `${MESSAGING_TABLES_SQL}
        create table organizations (id uuid primary key, name text not null);
        create table welcomes (organization_id uuid primary key, workflow_id text not null);`,
    });
    const bus = testBus();
    const taskQueue = uniqueName("smoke");
    const groupId = uniqueName("smoke-welcomer");
    const temporal = await connectTemporalClient({
      address: endpoints.TEMPORAL_ADDRESS,
      namespace: endpoints.TEMPORAL_NAMESPACE,
    });
    const worker = await startWorker(
      { address: endpoints.TEMPORAL_ADDRESS, namespace: endpoints.TEMPORAL_NAMESPACE },
      {
        taskQueue,
        workflowsPath: fileURLToPath(new URL("./smoke/welcome-workflow.ts", import.meta.url)),
        activities,
        ...tracingWorkerOptions({
          processor: tracing.processor,
          resource: resourceFromAttributes({ "service.name": "smoke-worker" }),
        }),
      },
    );

    const app = await createServiceApp({
      name: "smoke",
      description: "smoke",
      auth,
      logger: false,
      routes: async (routes) => {
        routes.post(
          "/organizations",
          { schema: { body: Type.Object({ name: Type.String({ minLength: 1 }) }) } },
          async (request, reply) => {
            const organizationId = request.principal.tenantId;
            await pgTransaction(db.pool, async (tx) => {
              await tx.client.query("insert into organizations (id, name) values ($1, $2)", [
                organizationId,
                request.body.name,
              ]);
              await publishEvent(
                tx,
                OrganizationRegistered,
                { organizationId, name: request.body.name },
                { tenant: organizationId },
              );
            });
            return reply.status(201).send({ organizationId });
          },
        );
      },
    });
    const address = await app.listen({ host: "127.0.0.1", port: 0 });
    const relay = new OutboxRelay({ pool: db.pool, createProducer: () => bus.producer() });
    relay.start();

    const startedWorkflows: string[] = [];
    const newConsumer = () =>
      new EventConsumer({
        bus,
        groupId,
        registry: new EventRegistry([OrganizationRegistered]),
        transaction: (work) => pgTransaction(db.pool, work),
        handle: async (event, tx) => {
          const { organizationId } = event.data as { organizationId: string };
          const workflowId = `welcome/${organizationId}`;
          await tx.query("insert into welcomes (organization_id, workflow_id) values ($1, $2)", [
            organizationId,
            workflowId,
          ]);
          try {
            await temporal.workflow.start("welcomeOrganization", {
              workflowId,
              taskQueue,
              args: [organizationId],
            });
            startedWorkflows.push(workflowId);
          } catch (error) {
            // A retry after a crash between start and commit finds the workflow already running: that is success.
            if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
          }
        },
      });

    const organizationId = randomUUID();
    try {
      const first = newConsumer();
      await first.start();
      const token = await signToken(auth, { tenantId: organizationId, subject: "admin-1", roles: ["admin"] });
      const response = await fetch(`${address}/organizations`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ name: "Acme Flow" }),
      });
      expect(response.status).toBe(201);

      await waitFor("the first delivery to be applied", () => first.stats.applied === 1);
      await first.stop();

      // Force Kafka to deliver the same event again to the same consumer group.
      await rewindConsumerGroup(groupId, OrganizationRegistered.topic);
      const second = newConsumer();
      await second.start();
      await waitFor("the redelivery to arrive", () => second.stats.received >= 1);
      await second.stop();
      expect(second.stats).toMatchObject({ applied: 0, duplicates: second.stats.received, deadLettered: 0 });

      const welcomes = await db.pool.query("select organization_id from welcomes");
      expect(welcomes.rows).toEqual([{ organization_id: organizationId }]);
      expect(startedWorkflows).toEqual([`welcome/${organizationId}`]);
      const result = await temporal.workflow.getHandle(`welcome/${organizationId}`).result();
      expect(result).toBe(`welcomed ${organizationId} (receipt-${organizationId.slice(0, 8)})`);

      const spans = await waitFor("the activity span", async () => {
        const finished = await tracing.finishedSpans();
        return finished.some((span) => span.name.startsWith("RunActivity")) ? finished : undefined;
      });
      const find = (predicate: (name: string) => boolean, what: string) => {
        const span = spans.find((candidate) => predicate(candidate.name));
        if (!span) throw new Error(`no ${what} span among: ${spans.map((s) => s.name).join(", ")}`);
        return span;
      };
      const path = [
        find((name) => name === "request", "HTTP server (@fastify/otel)"),
        find((name) => name === `${OrganizationRegistered.topic} publish`, "outbox relay publish"),
        find((name) => name === `${OrganizationRegistered.topic} process`, "consumer"),
        find((name) => name.startsWith("StartWorkflow:welcomeOrganization"), "workflow start"),
        find((name) => name.startsWith("RunActivity:recordWelcome"), "activity"),
      ];
      const traceIds = new Set(path.map((span) => span.spanContext().traceId));
      expect(
        traceIds.size,
        `spans: ${path.map((s) => `${s.name}=${s.spanContext().traceId}`).join(", ")}`,
      ).toBe(1);
    } finally {
      await relay.stop();
      await app.close();
      await worker.stop();
      await temporal.connection.close();
      await db.drop();
      await telemetry.shutdown();
    }
  }, 180_000);
});
