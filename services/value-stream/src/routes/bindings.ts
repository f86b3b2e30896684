import { prismaRunner } from "@okr/database";
import { KeyResultBindingChanged, uuidv7 } from "@okr/events";
import { publishEvent } from "@okr/messaging";
import {
  conflict,
  IdParams,
  noContent,
  notFound,
  problems,
  requireRole,
  resource,
  Uuid,
} from "@okr/service-kit";
import { Type } from "typebox";
import type { KeyResultBinding } from "../generated/prisma/client.ts";
import { keyResultForBinding, unknownKeyResult } from "../repositories/key-results.ts";
import type { ValueStreamRuntime } from "../service.ts";
import { findStream, markMetricsStale } from "../store.ts";
import { Binding, Direction, StreamMetricName } from "../views.ts";
import { streamListSchema, streamPage } from "./stream-lists.ts";

const present = (row: KeyResultBinding) => ({
  id: row.id,
  streamId: row.streamId,
  keyResultId: row.keyResultId,
  metric: row.metric as "wip",
  direction: row.direction as "increase" | "decrease",
  createdAt: row.createdAt.toISOString(),
});

/**
 * Key results measured by a stream metric. Every new value of the metric is published as MetricUpdated
 * naming the bound key results; the goals service turns it into a system check-in with the snapshot as evidence.
 */
export const bindingRoutes = resource<ValueStreamRuntime>("key results", (app, { db }) => {
  app.post(
    "/streams/:id/bindings",
    {
      config: { creates: "/bindings/:id" },
      schema: {
        summary:
          "Bind a key result to a stream metric (admins, leaders); its current value is published at once",
        description:
          "The key result must be one of the organization's, known to value-stream from the goals service's events and not deleted; otherwise 422 `unknown-key-result`. A key result created in goals a moment ago arrives within moments: retry the 422 shortly.",
        params: IdParams,
        body: Type.Object(
          { keyResultId: Uuid(), metric: StreamMetricName, direction: Direction },
          { additionalProperties: false },
        ),
        response: { 201: Binding, ...problems(400, 403, 404, 409, 422) },
      },
    },
    async (request, reply) => {
      requireRole(request, "admin", "leader");
      const tenant = request.principal.tenantId;
      const row = await db.$transaction(async (tx) => {
        const stream = await findStream(tx, tenant, request.params.id);
        const { known, boundTo } = await keyResultForBinding(
          prismaRunner(tx),
          tenant,
          request.body.keyResultId,
        );
        if (!known) throw unknownKeyResult(request.body.keyResultId);
        if (boundTo)
          throw conflict(
            "key-result-already-bound",
            `key result ${request.body.keyResultId} is already measured by ${boundTo.metric} of stream ${boundTo.streamId}; unbind it first`,
          );
        const saved = await tx.keyResultBinding.create({
          data: { id: uuidv7(), tenantId: tenant, streamId: stream.id, ...request.body },
        });
        const sql = prismaRunner(tx);
        await publishEvent(
          sql,
          KeyResultBindingChanged,
          { bindingId: saved.id, streamId: stream.id, ...request.body, removed: false },
          { tenant },
        );
        await markMetricsStale(sql, stream.id, tenant, request.body.metric);
        return saved;
      });
      return reply.status(201).send(present(row));
    },
  );

  app.get(
    "/streams/:id/bindings",
    { schema: streamListSchema("key results", "The stream's key-result bindings (paginated)", Binding) },
    (request) => streamPage(db, request, (window) => db.keyResultBinding.findMany(window), present),
  );

  app.delete(
    "/bindings/:id",
    {
      schema: {
        summary: "Unbind a key result from its metric (admins, leaders)",
        params: IdParams,
        response: noContent(403, 404),
      },
    },
    async (request, reply) => {
      requireRole(request, "admin", "leader");
      const tenant = request.principal.tenantId;
      await db.$transaction(async (tx) => {
        const binding = await tx.keyResultBinding.findFirst({
          where: { id: request.params.id, tenantId: tenant },
        });
        if (!binding) throw notFound(`binding ${request.params.id}`);
        await tx.keyResultBinding.delete({ where: { id: binding.id } });
        await publishEvent(
          prismaRunner(tx),
          KeyResultBindingChanged,
          {
            bindingId: binding.id,
            streamId: binding.streamId,
            keyResultId: binding.keyResultId,
            metric: binding.metric as "wip",
            direction: binding.direction as "increase",
            removed: true,
          },
          { tenant },
        );
      });
      return reply.status(204).send(null);
    },
  );
});
