import { prismaRunner } from "@okr/database";
import { demandProblems } from "@okr/flow-metrics";
import {
  badRequest,
  IdParams,
  Page,
  PageQuery,
  page,
  problems,
  requireRole,
  resource,
  Uuid,
  unprocessable,
} from "@okr/service-kit";
import { Type } from "typebox";
import type { StreamMap, ValueStream } from "../generated/prisma/client.ts";
import { computeStreamMetrics, DAY_MS } from "../metrics.ts";
import { ClocksInput, clocksOf, StepInput, WipPolicy } from "../model.ts";
import { publishStep, publishStream } from "../repositories/events.ts";
import { stepIdsOf } from "../repositories/steps.ts";
import { insertStream, listStreams, publishedMetrics, updateStream } from "../repositories/streams.ts";
import type { ValueStreamRuntime } from "../service.ts";
import { findStream, markMetricsStale } from "../store.ts";
import { StreamMetricsView, StreamView } from "../views.ts";
import { stepFields } from "./steps.ts";

const StreamFields = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  dailyDemand: Type.Number({
    exclusiveMinimum: 0,
    maximum: 1e9,
    description: "units the customer needs per day",
  }),
  availableMinutesPerDay: Type.Number({
    exclusiveMinimum: 0,
    maximum: 1440,
    description: "working minutes in a day (takt = available time / demand)",
  }),
  wipPolicy: Type.Optional(WipPolicy),
  clocks: Type.Optional(ClocksInput),
};
const NewStreamBody = Type.Object(
  {
    familyId: Uuid(),
    ...StreamFields,
    currentMapName: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    steps: Type.Optional(
      Type.Array(StepInput, { maxItems: 200, description: "the current-state map's steps, in flow order" }),
    ),
  },
  { additionalProperties: false },
);
const StreamPatch = Type.Partial(Type.Object(StreamFields, { additionalProperties: false }), {
  additionalProperties: false,
  minProperties: 1,
});

const WindowQuery = Type.Object(
  {
    from: Type.Optional(Type.String({ format: "date-time" })),
    to: Type.Optional(Type.String({ format: "date-time" })),
  },
  { additionalProperties: false },
);

type StreamWithMaps = ValueStream & { maps: StreamMap[] };
const presentStream = (stream: StreamWithMaps) => {
  const current = stream.maps.find((map) => map.state === "current");
  return {
    id: stream.id,
    familyId: stream.familyId,
    name: stream.name,
    dailyDemand: stream.dailyDemand,
    availableMinutesPerDay: stream.availableMinutesPerDay,
    taktTimeMinutes: stream.availableMinutesPerDay / stream.dailyDemand,
    wipPolicy: stream.wipPolicy as "reject" | "flag",
    clocks: clocksOf(stream.clocks),
    currentMapId: current?.id as string,
    maps: stream.maps.map((map) => ({ id: map.id, state: map.state, name: map.name })),
  };
};

/** Value streams: their demand, available time, WIP policy and clocks, and their figures. */
export const streamRoutes = resource<ValueStreamRuntime>("streams", (app, runtime) => {
  const { db } = runtime;
  app.post(
    "/streams",
    {
      config: {
        creates: { "/streams/:id": "/id", "/maps/:id": "/currentMapId" },
        bodyIdsFrom: { familyId: "POST /product-families" },
      },
      schema: {
        summary: "Create a value stream of a product family with its current-state map (admins, leaders)",
        body: NewStreamBody,
        response: { 201: StreamView, ...problems(400, 403, 404, 422) },
      },
    },
    async (request, reply) => {
      requireRole(request, "admin", "leader");
      const tenant = request.principal.tenantId;
      const { familyId, steps = [], clocks, currentMapName, ...settings } = request.body;
      const demandIssues = demandProblems(settings);
      if (demandIssues.length) throw unprocessable("invalid-demand", demandIssues.join("; "));
      const referenced = Object.values(clocks ?? {}).filter((edge) => edge.stepId !== null);
      if (referenced.length)
        throw unprocessable(
          "invalid-clocks",
          "a new stream's clocks cannot name steps yet; set them once the steps exist",
        );
      const rows = steps.map((step) => stepFields(step));
      const stream = await db.$transaction(async (tx) => {
        const created = await insertStream(
          tx,
          tenant,
          familyId,
          {
            name: settings.name,
            dailyDemand: settings.dailyDemand,
            availableMinutesPerDay: settings.availableMinutesPerDay,
            wipPolicy: settings.wipPolicy ?? "reject",
            clocks: clocksOf(clocks ?? {}),
          },
          currentMapName ?? "Current state",
          rows,
        );
        for (const step of created.steps)
          await publishStep(tx, step, created.stream, created.stream.id, tenant);
        await publishStream(tx, created.stream, "created", created.map.id);
        await markMetricsStale(prismaRunner(tx), created.stream.id, tenant);
        return { ...created.stream, maps: [created.map] };
      });
      return reply.status(201).send(presentStream(stream));
    },
  );

  app.get(
    "/streams",
    {
      schema: {
        summary: "The tenant's value streams (paginated; optionally of one family)",
        querystring: Type.Object(
          { ...PageQuery, familyId: Type.Optional(Uuid()) },
          { additionalProperties: false },
        ),
        response: { 200: Page(StreamView) },
      },
    },
    async (request) => {
      const result = page(
        await listStreams(db, request.principal.tenantId, request.query),
        request.query.limit,
      );
      return { items: result.items.map(presentStream), nextCursor: result.nextCursor };
    },
  );

  app.get(
    "/streams/:id",
    { schema: { tags: ["streams"], params: IdParams, response: { 200: StreamView, ...problems(404) } } },
    async (request) => presentStream(await findStream(db, request.principal.tenantId, request.params.id)),
  );

  app.patch(
    "/streams/:id",
    {
      schema: {
        summary: "Change demand, available time, WIP policy or lead/flow time clocks (admins, leaders)",
        params: IdParams,
        body: StreamPatch,
        response: { 200: StreamView, ...problems(400, 403, 404, 422) },
      },
    },
    async (request) => {
      requireRole(request, "admin", "leader");
      const tenant = request.principal.tenantId;
      const stream = await db.$transaction(async (tx) => {
        const existing = await findStream(tx, tenant, request.params.id);
        const { clocks, ...settings } = request.body;
        const merged = { ...existing, ...settings };
        const demandIssues = demandProblems(merged);
        if (demandIssues.length) throw unprocessable("invalid-demand", demandIssues.join("; "));
        const nextClocks = { ...clocksOf(existing.clocks), ...clocks };
        const current = existing.maps.find((map) => map.state === "current") as StreamMap;
        const stepIds = await stepIdsOf(tx, current.id);
        for (const [name, edge] of Object.entries(nextClocks))
          if (edge.stepId !== null && !stepIds.has(edge.stepId))
            throw unprocessable(
              "invalid-clocks",
              `clock ${name} names step ${edge.stepId}, which is not a step of the current-state map`,
            );
        const saved = await updateStream(tx, existing.id, { ...settings, clocks: nextClocks });
        await publishStream(tx, saved, "updated");
        await markMetricsStale(prismaRunner(tx), saved.id, tenant);
        return { ...saved, maps: existing.maps };
      });
      return presentStream(stream);
    },
  );

  app.get(
    "/streams/:id/metrics",
    {
      schema: {
        tags: ["metrics"],
        summary:
          "Map figures (current and future states with deltas) and flow figures over a window (default: last 30 days)",
        params: IdParams,
        querystring: WindowQuery,
        response: { 200: StreamMetricsView, ...problems(400, 404) },
      },
    },
    async (request) => {
      const stream = await findStream(db, request.principal.tenantId, request.params.id);
      const to = request.query.to ? Date.parse(request.query.to) : Date.now();
      const from = request.query.from ? Date.parse(request.query.from) : to - 30 * DAY_MS;
      if (from >= to) throw badRequest("`from` must be before `to`");
      const metrics = await computeStreamMetrics(db, runtime.pool, stream.id, { from, to });
      return { ...metrics, published: await publishedMetrics(db, stream.id) };
    },
  );
});
