import { prismaRunner } from "@okr/database";
import { mapMetrics, type ReworkLink, sequenceProblems } from "@okr/flow-metrics";
import { IdParams, notFound, problems, requireRole, resource, Uuid, unprocessable } from "@okr/service-kit";
import { Type } from "typebox";
import type { Step, StreamMap } from "../generated/prisma/client.ts";
import {
  type DemandRow,
  MapMetricsView,
  presentStep,
  ReworkLinkSchema,
  reworkLinksOf,
  StepView,
  toMapStep,
} from "../model.ts";
import { publishStream } from "../repositories/events.ts";
import { copyMap, lockMap, mapOfStream, setReworkLinks } from "../repositories/maps.ts";
import { reorderSteps } from "../repositories/steps.ts";
import type { ValueStreamRuntime } from "../service.ts";
import { findMap, findStream, markMetricsStale } from "../store.ts";
import { renderMapSvg } from "../views/map-svg.ts";

const MapView = Type.Object({
  id: Uuid(),
  streamId: Uuid(),
  state: Type.String(),
  name: Type.String(),
  steps: Type.Array(StepView),
  reworkLinks: Type.Array(ReworkLinkSchema),
  metrics: MapMetricsView,
});
const SequenceBody = Type.Object(
  {
    stepIds: Type.Array(Uuid(), { maxItems: 200, description: "every step of the map once, in flow order" }),
    reworkLinks: Type.Optional(Type.Array(ReworkLinkSchema, { maxItems: 200 })),
  },
  { additionalProperties: false },
);

const presentMap = (map: StreamMap & { steps: Step[] }, demand: DemandRow) => ({
  id: map.id,
  streamId: map.streamId,
  state: map.state,
  name: map.name,
  steps: map.steps.map((step) => presentStep(step, demand)),
  reworkLinks: reworkLinksOf(map.reworkLinks),
  metrics: mapMetrics(map.steps.map(toMapStep), reworkLinksOf(map.reworkLinks), demand),
});

/** The current- and future-state maps of a stream: draw one, read it (also as SVG), reorder its steps. */
export const mapRoutes = resource<ValueStreamRuntime>("maps", (app, { db }) => {
  app.post(
    "/streams/:id/maps",
    {
      config: { creates: "/maps/:id" },
      schema: {
        summary: "Draw a future-state map, starting as a copy of the current state (or of another map)",
        params: IdParams,
        body: Type.Object(
          { name: Type.String({ minLength: 1, maxLength: 200 }), copyFromMapId: Type.Optional(Uuid()) },
          { additionalProperties: false },
        ),
        response: { 201: MapView, ...problems(400, 403, 404, 422) },
      },
    },
    async (request, reply) => {
      requireRole(request, "admin", "leader");
      const tenant = request.principal.tenantId;
      const map = await db.$transaction(async (tx) => {
        const stream = await findStream(tx, tenant, request.params.id);
        const sourceId = request.body.copyFromMapId ?? stream.maps.find((m) => m.state === "current")?.id;
        const source = await mapOfStream(tx, stream.id, sourceId);
        // A body naming a map the stream does not have is a fact about the body (422), as for key results.
        if (!source)
          throw unprocessable(
            "unknown-map",
            `map ${request.body.copyFromMapId} is not a map of this stream`,
            {
              errors: [{ in: "body", path: "/copyFromMapId", message: "is not a map of this stream" }],
            },
          );
        const created = await copyMap(tx, tenant, stream.id, source, request.body.name);
        await publishStream(tx, stream, "map-created", created.id);
        return { map: created, demand: stream };
      });
      return reply.status(201).send(presentMap(map.map, map.demand));
    },
  );

  app.get(
    "/maps/:id",
    {
      schema: {
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

  app.put(
    "/maps/:id/sequence",
    {
      schema: {
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
        await reorderSteps(tx, request.body.stepIds);
        await setReworkLinks(tx, existing.id, rework);
        await publishStream(tx, existing.stream, "sequence-changed", existing.id);
        if (existing.state === "current") await markMetricsStale(prismaRunner(tx), existing.streamId, tenant);
        return findMap(tx, tenant, existing.id);
      });
      return presentMap(map, map.stream);
    },
  );

  app.get(
    "/streams/:id/map.svg",
    {
      schema: {
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
      const map = await mapOfStream(db, stream.id, mapId);
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
});
