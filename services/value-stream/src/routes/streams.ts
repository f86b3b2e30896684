import { randomUUID } from "node:crypto";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { StepChanged, uuidv7, ValueStreamChanged } from "@okr/events";
import {
  demandProblems,
  mapMetrics,
  type ReworkLink,
  sequenceProblems,
  stepProblems,
} from "@okr/flow-metrics";
import { publishEvent } from "@okr/messaging";
import {
  badRequest,
  conflict,
  IdParams,
  notFound,
  Page,
  PageQuery,
  page,
  problems,
  requireRole,
  Uuid,
  unprocessable,
} from "@okr/service-kit";
import { type Static, Type } from "typebox";
import type { Prisma, Step, StreamMap, ValueStream } from "../generated/prisma/client.ts";
import { computeStreamMetrics, DAY_MS } from "../metrics.ts";
import {
  ClocksInput,
  clocksOf,
  type DemandRow,
  MapMetricsView,
  NewStepBody,
  presentStep,
  ReworkLinkSchema,
  reworkLinksOf,
  StepInput,
  StepPatch,
  StepView,
  toMapStep,
  WipPolicy,
} from "../model.ts";
import type { ValueStreamRuntime } from "../service.ts";
import { findMap, findStream, markMetricsStale } from "../store.ts";
import { renderMapSvg } from "../views/map-svg.ts";

type Tx = Prisma.TransactionClient;

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

const MapSummary = Type.Object({ id: Uuid(), state: Type.String(), name: Type.String() });
const StreamView = Type.Object({
  id: Uuid(),
  familyId: Uuid(),
  name: Type.String(),
  dailyDemand: Type.Number(),
  availableMinutesPerDay: Type.Number(),
  taktTimeMinutes: Type.Number(),
  wipPolicy: WipPolicy,
  clocks: Type.Unknown(),
  currentMapId: Uuid(),
  maps: Type.Array(MapSummary),
});
const MapView = Type.Object({
  id: Uuid(),
  streamId: Uuid(),
  state: Type.String(),
  name: Type.String(),
  steps: Type.Array(StepView),
  reworkLinks: Type.Array(ReworkLinkSchema),
  metrics: MapMetricsView,
});
const StreamMetricsView = Type.Object({
  asOf: Type.String({ format: "date-time" }),
  currentMapId: Uuid(),
  map: MapMetricsView,
  flow: Type.Unknown({
    description: "measured from work items: throughput, WIP, flow time, flow efficiency",
  }),
  futureStates: Type.Array(
    Type.Object({ mapId: Uuid(), name: Type.String(), map: MapMetricsView, deltas: Type.Unknown() }),
  ),
  published: Type.Unknown(),
});
const SequenceBody = Type.Object(
  {
    stepIds: Type.Array(Uuid(), { maxItems: 200, description: "every step of the map once, in flow order" }),
    reworkLinks: Type.Optional(Type.Array(ReworkLinkSchema, { maxItems: 200 })),
  },
  { additionalProperties: false },
);
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

const presentMap = (map: StreamMap & { steps: Step[] }, demand: DemandRow) => ({
  id: map.id,
  streamId: map.streamId,
  state: map.state,
  name: map.name,
  steps: map.steps.map((step) => presentStep(step, demand)),
  reworkLinks: reworkLinksOf(map.reworkLinks),
  metrics: mapMetrics(map.steps.map(toMapStep), reworkLinksOf(map.reworkLinks), demand),
});

/** Turns a step body into row fields, refusing what the schema cannot express. */
function stepFields(input: Partial<Static<typeof StepInput>>, existing?: Step) {
  if (input.waitMinutes !== undefined && input.waitInventoryUnits !== undefined)
    throw unprocessable(
      "invalid-step",
      "give the wait either as waitMinutes or as waitInventoryUnits, not both",
    );
  const waitMinutes =
    input.waitInventoryUnits !== undefined ? null : (input.waitMinutes ?? existing?.waitMinutes ?? 0);
  const waitInventoryUnits =
    input.waitMinutes !== undefined
      ? null
      : (input.waitInventoryUnits ?? existing?.waitInventoryUnits ?? null);
  const fields = {
    name: input.name ?? existing?.name ?? "",
    classification: input.classification ?? existing?.classification ?? "value-adding",
    processMinutes: input.processMinutes ?? existing?.processMinutes ?? 0,
    waitMinutes,
    waitInventoryUnits,
    percentCompleteAccurate: input.percentCompleteAccurate ?? existing?.percentCompleteAccurate ?? 1,
    wipLimit: input.wipLimit !== undefined ? input.wipLimit : (existing?.wipLimit ?? null),
    wasteTags: input.wasteTags ?? existing?.wasteTags ?? [],
  };
  const found = stepProblems({
    processMinutes: fields.processMinutes,
    wait:
      waitInventoryUnits !== null ? { inventoryUnits: waitInventoryUnits } : { minutes: waitMinutes ?? 0 },
    percentCompleteAccurate: fields.percentCompleteAccurate,
    wipLimit: fields.wipLimit,
  });
  if (found.length > 0)
    throw unprocessable("invalid-step", found.join("; "), { errors: found.map((message) => ({ message })) });
  return fields;
}

async function publishStep(
  tx: Tx,
  step: Step,
  demand: DemandRow,
  streamId: string,
  tenant: string,
  removed = false,
) {
  const view = presentStep(step, demand);
  await publishEvent(
    tx,
    StepChanged,
    {
      streamId,
      stepId: step.id,
      mapId: step.mapId,
      position: step.position,
      name: step.name,
      classification: view.classification,
      processTimeMinutes: step.processMinutes,
      waitTimeMinutes: view.waitMinutes,
      waitInventoryUnits: step.waitInventoryUnits,
      percentCompleteAccurate: step.percentCompleteAccurate,
      wipLimit: step.wipLimit,
      wasteTags: view.wasteTags,
      removed,
    },
    { tenant },
  );
}

async function publishStream(
  tx: Tx,
  stream: ValueStream,
  change: "created" | "updated" | "map-created" | "sequence-changed",
  mapId?: string,
) {
  await publishEvent(
    tx,
    ValueStreamChanged,
    {
      streamId: stream.id,
      familyId: stream.familyId,
      name: stream.name,
      change,
      ...(mapId ? { mapId } : {}),
      dailyDemand: stream.dailyDemand,
      availableMinutesPerDay: stream.availableMinutesPerDay,
      wipPolicy: stream.wipPolicy as "reject" | "flag",
    },
    { tenant: stream.tenantId },
  );
}

const lockMap = (tx: Tx, mapId: string) =>
  tx.$executeRawUnsafe(`select 1 from stream_maps where id = $1::uuid for update`, mapId);

/** Value streams, their current and future-state maps and the steps of those maps. */
export function streamRoutes(runtime: ValueStreamRuntime): FastifyPluginAsyncTypebox {
  const { db } = runtime;
  return async (app) => {
    app.post(
      "/streams",
      {
        schema: {
          tags: ["streams"],
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
          const family = await tx.productFamily.findFirst({ where: { id: familyId, tenantId: tenant } });
          if (!family) throw notFound(`product family ${familyId}`);
          const created = await tx.valueStream.create({
            data: {
              id: uuidv7(),
              tenantId: tenant,
              familyId,
              name: settings.name,
              dailyDemand: settings.dailyDemand,
              availableMinutesPerDay: settings.availableMinutesPerDay,
              wipPolicy: settings.wipPolicy ?? "reject",
              clocks: clocksOf(clocks ?? {}) as unknown as Prisma.InputJsonValue,
            },
          });
          const map = await tx.streamMap.create({
            data: {
              id: randomUUID(),
              tenantId: tenant,
              streamId: created.id,
              state: "current",
              name: currentMapName ?? "Current state",
            },
          });
          const demand = created;
          for (const [position, fields] of rows.entries()) {
            const step = await tx.step.create({
              data: { id: randomUUID(), tenantId: tenant, mapId: map.id, position, ...fields },
            });
            await publishStep(tx, step, demand, created.id, tenant);
          }
          await publishStream(tx, created, "created", map.id);
          await markMetricsStale(tx, created.id, tenant);
          return { ...created, maps: [map] };
        });
        return reply.status(201).send(presentStream(stream));
      },
    );

    app.get(
      "/streams",
      {
        schema: {
          tags: ["streams"],
          summary: "The tenant's value streams (paginated; optionally of one family)",
          querystring: Type.Object(
            { ...PageQuery, familyId: Type.Optional(Uuid()) },
            { additionalProperties: false },
          ),
          response: { 200: Page(StreamView) },
        },
      },
      async (request) => {
        const { limit, cursor, familyId } = request.query;
        const streams = await db.valueStream.findMany({
          where: {
            tenantId: request.principal.tenantId,
            ...(cursor ? { id: { gt: cursor } } : {}),
            ...(familyId ? { familyId } : {}),
          },
          include: { maps: { orderBy: { createdAt: "asc" } } },
          orderBy: { id: "asc" },
          take: limit + 1,
        });
        const result = page(streams, limit);
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
          tags: ["streams"],
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
          const stepIds = new Set(
            (await tx.step.findMany({ where: { mapId: current.id }, select: { id: true } })).map((s) => s.id),
          );
          for (const [name, edge] of Object.entries(nextClocks))
            if (edge.stepId !== null && !stepIds.has(edge.stepId))
              throw unprocessable(
                "invalid-clocks",
                `clock ${name} names step ${edge.stepId}, which is not a step of the current-state map`,
              );
          const saved = await tx.valueStream.update({
            where: { id: existing.id },
            data: { ...settings, clocks: nextClocks as unknown as Prisma.InputJsonValue },
          });
          await publishStream(tx, saved, "updated");
          await markMetricsStale(tx, saved.id, tenant);
          return { ...saved, maps: existing.maps };
        });
        return presentStream(stream);
      },
    );

    app.post(
      "/streams/:id/maps",
      {
        schema: {
          tags: ["maps"],
          summary: "Draw a future-state map, starting as a copy of the current state (or of another map)",
          params: IdParams,
          body: Type.Object(
            { name: Type.String({ minLength: 1, maxLength: 200 }), copyFromMapId: Type.Optional(Uuid()) },
            { additionalProperties: false },
          ),
          response: { 201: MapView, ...problems(400, 403, 404) },
        },
      },
      async (request, reply) => {
        requireRole(request, "admin", "leader");
        const tenant = request.principal.tenantId;
        const map = await db.$transaction(async (tx) => {
          const stream = await findStream(tx, tenant, request.params.id);
          const sourceId = request.body.copyFromMapId ?? stream.maps.find((m) => m.state === "current")?.id;
          const source = await tx.streamMap.findFirst({
            where: { id: sourceId, streamId: stream.id },
            include: { steps: { orderBy: { position: "asc" } } },
          });
          if (!source) throw notFound(`map ${request.body.copyFromMapId} of this stream`);
          const created = await tx.streamMap.create({
            data: {
              id: randomUUID(),
              tenantId: tenant,
              streamId: stream.id,
              state: "future",
              name: request.body.name,
            },
          });
          const newIds = new Map<string, string>();
          const steps: Step[] = [];
          for (const step of source.steps) {
            const { id, mapId: _mapId, createdAt: _c, updatedAt: _u, ...fields } = step;
            newIds.set(id, randomUUID());
            steps.push(
              await tx.step.create({ data: { ...fields, id: newIds.get(id) as string, mapId: created.id } }),
            );
          }
          const rework = reworkLinksOf(source.reworkLinks).map((link) => ({
            ...link,
            fromStepId: newIds.get(link.fromStepId) as string,
            toStepId: newIds.get(link.toStepId) as string,
          }));
          const saved = await tx.streamMap.update({
            where: { id: created.id },
            data: { reworkLinks: rework as unknown as Prisma.InputJsonValue },
          });
          await publishStream(tx, stream, "map-created", created.id);
          return { map: { ...saved, steps }, demand: stream };
        });
        return reply.status(201).send(presentMap(map.map, map.demand));
      },
    );

    app.get(
      "/maps/:id",
      {
        schema: {
          tags: ["maps"],
          summary: "A map with its steps and figures",
          params: IdParams,
          response: { 200: MapView, ...problems(404) },
        },
      },
      async (request) => {
        const map = await findMap(db, request.principal.tenantId, request.params.id);
        return presentMap(map, map.stream);
      },
    );

    app.post(
      "/maps/:id/steps",
      {
        schema: {
          tags: ["maps"],
          summary: "Add a step to a map (appended, or inserted at `position`)",
          params: IdParams,
          body: NewStepBody,
          response: { 201: StepView, ...problems(400, 403, 404, 422) },
        },
      },
      async (request, reply) => {
        requireRole(request, "admin", "leader");
        const tenant = request.principal.tenantId;
        const { position, ...input } = request.body;
        const fields = stepFields(input);
        const { step, demand } = await db.$transaction(async (tx) => {
          const map = await findMap(tx, tenant, request.params.id);
          await lockMap(tx, map.id);
          const count = await tx.step.count({ where: { mapId: map.id } });
          const at = Math.min(position ?? count, count);
          await tx.step.updateMany({
            where: { mapId: map.id, position: { gte: at } },
            data: { position: { increment: 1 } },
          });
          const created = await tx.step.create({
            data: { id: randomUUID(), tenantId: tenant, mapId: map.id, position: at, ...fields },
          });
          await publishStep(tx, created, map.stream, map.streamId, tenant);
          if (map.state === "current") await markMetricsStale(tx, map.streamId, tenant);
          return { step: created, demand: map.stream };
        });
        return reply.status(201).send(presentStep(step, demand));
      },
    );

    app.patch(
      "/steps/:id",
      {
        schema: {
          tags: ["maps"],
          summary: "Change a step: classification, times, %C&A, WIP limit, waste tags",
          params: IdParams,
          body: StepPatch,
          response: { 200: StepView, ...problems(400, 403, 404, 422) },
        },
      },
      async (request) => {
        requireRole(request, "admin", "leader");
        const tenant = request.principal.tenantId;
        const { step, demand } = await db.$transaction(async (tx) => {
          const existing = await tx.step.findFirst({
            where: { id: request.params.id, tenantId: tenant },
            include: { map: { include: { stream: true } } },
          });
          if (!existing) throw notFound(`step ${request.params.id}`);
          const saved = await tx.step.update({
            where: { id: existing.id },
            data: stepFields(request.body, existing),
          });
          await publishStep(tx, saved, existing.map.stream, existing.map.streamId, tenant);
          if (existing.map.state === "current") await markMetricsStale(tx, existing.map.streamId, tenant);
          return { step: saved, demand: existing.map.stream };
        });
        return presentStep(step, demand);
      },
    );

    app.delete(
      "/steps/:id",
      {
        schema: {
          tags: ["maps"],
          summary: "Remove a step (a waste removed from the stream); refused while work items are in it",
          params: IdParams,
          response: { 204: Type.Null(), ...problems(403, 404, 409) },
        },
      },
      async (request, reply) => {
        requireRole(request, "admin", "leader");
        const tenant = request.principal.tenantId;
        await db.$transaction(async (tx) => {
          const step = await tx.step.findFirst({
            where: { id: request.params.id, tenantId: tenant },
            include: { map: { include: { stream: true } } },
          });
          if (!step) throw notFound(`step ${request.params.id}`);
          await lockMap(tx, step.mapId);
          if (step.map.state === "current") {
            const occupied = await tx.workItem.count({
              where: { streamId: step.map.streamId, stepId: step.id },
            });
            if (occupied > 0)
              throw conflict(
                "step-in-use",
                `${occupied} work item(s) are in or last completed this step; move them on first`,
              );
            const clocks = clocksOf(step.map.stream.clocks);
            if (Object.values(clocks).some((edge) => edge.stepId === step.id))
              throw conflict(
                "step-in-use",
                "the stream's lead or flow time clock names this step; change the clock first",
              );
          }
          await tx.step.delete({ where: { id: step.id } });
          await tx.step.updateMany({
            where: { mapId: step.mapId, position: { gt: step.position } },
            data: { position: { decrement: 1 } },
          });
          const rework = reworkLinksOf(step.map.reworkLinks).filter(
            (l) => l.fromStepId !== step.id && l.toStepId !== step.id,
          );
          await tx.streamMap.update({
            where: { id: step.mapId },
            data: { reworkLinks: rework as unknown as Prisma.InputJsonValue },
          });
          await publishStep(tx, step, step.map.stream, step.map.streamId, tenant, true);
          if (step.map.state === "current") await markMetricsStale(tx, step.map.streamId, tenant);
        });
        return reply.status(204).send(null);
      },
    );

    app.put(
      "/maps/:id/sequence",
      {
        schema: {
          tags: ["maps"],
          summary: "Reorder a map's steps and declare its rework loops",
          description:
            "Every step exactly once, in flow order. A step listed twice would make the flow loop: loops are declared as rework links that point back upstream.",
          params: IdParams,
          body: SequenceBody,
          response: { 200: MapView, ...problems(400, 403, 404, 422) },
        },
      },
      async (request) => {
        requireRole(request, "admin", "leader");
        const tenant = request.principal.tenantId;
        const rework: ReworkLink[] = request.body.reworkLinks ?? [];
        const map = await db.$transaction(async (tx) => {
          const existing = await findMap(tx, tenant, request.params.id);
          await lockMap(tx, existing.id);
          const found = sequenceProblems(
            request.body.stepIds,
            existing.steps.map((s) => s.id),
            rework,
          );
          if (found.length)
            throw unprocessable("invalid-sequence", found.join("; "), {
              errors: found.map((message) => ({ message })),
            });
          for (const [position, id] of request.body.stepIds.entries())
            await tx.step.update({ where: { id }, data: { position } });
          await tx.streamMap.update({
            where: { id: existing.id },
            data: { reworkLinks: rework as unknown as Prisma.InputJsonValue },
          });
          await publishStream(tx, existing.stream, "sequence-changed", existing.id);
          if (existing.state === "current") await markMetricsStale(tx, existing.streamId, tenant);
          return findMap(tx, tenant, existing.id);
        });
        return presentMap(map, map.stream);
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
        const state = await db.streamMetricState.findUnique({ where: { streamId: stream.id } });
        return { ...metrics, published: state?.lastValues ?? {} };
      },
    );

    app.get(
      "/streams/:id/map.svg",
      {
        schema: {
          tags: ["maps"],
          summary:
            "The value stream map as SVG: steps, times, %C&A, waste tags and the wait/process timeline ladder",
          params: IdParams,
          querystring: Type.Object({ mapId: Type.Optional(Uuid()) }, { additionalProperties: false }),
          produces: ["image/svg+xml"],
          response: { 200: Type.String(), ...problems(404) },
        },
      },
      async (request, reply) => {
        const stream = await findStream(db, request.principal.tenantId, request.params.id);
        const mapId = request.query.mapId ?? stream.maps.find((m) => m.state === "current")?.id;
        const map = await db.streamMap.findFirst({
          where: { id: mapId, streamId: stream.id },
          include: { steps: { orderBy: { position: "asc" } } },
        });
        if (!map) throw notFound(`map ${mapId} of this stream`);
        const view = presentMap(map, stream);
        return reply.type("image/svg+xml; charset=utf-8").send(
          renderMapSvg({
            streamName: stream.name,
            mapName: map.name,
            state: map.state,
            minutesPerDay: stream.availableMinutesPerDay,
            dailyDemand: stream.dailyDemand,
            steps: view.steps,
            reworkLinks: view.reworkLinks,
            metrics: view.metrics,
          }),
        );
      },
    );
  };
}
