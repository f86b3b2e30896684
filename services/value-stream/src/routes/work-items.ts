import { type EventDefinition, MAX_MOVES_PER_EVENT, WorkItemsMoved, WorkItemsRegistered } from "@okr/events";
import { type FlowEvent, type IngestError, ingest, type Phase, pullSignals } from "@okr/flow-metrics";
import { type PendingEvent, pgTransaction, publishEvents } from "@okr/messaging";
import { IdParams, notFound, problems, requireRole, resource, Uuid, unprocessable } from "@okr/service-kit";
import { Type } from "typebox";
import { EventKind } from "../model.ts";
import {
  currentStepLimits,
  insertWorkItemEvents,
  insertWorkItems,
  itemPositions,
  lockStream,
  moveWorkItems,
  recordedEventKeys,
  wipByStep,
} from "../repositories/work-items.ts";
import type { ValueStreamRuntime } from "../service.ts";
import { currentMapOf, findStream, markMetricsStale } from "../store.ts";
import { PullBoard } from "../views.ts";

/** An event may be at most this far in the future (clock skew between an integration and us). */
const FUTURE_SKEW_MS = 5 * 60_000;
/** 5,000 events of typical size stay under the 1 MB body limit (a larger body is a 413 problem). */
const MAX_BATCH = 5_000;

/**
 * One `definition` event per MAX_MOVES_PER_EVENT of `entries`, its data built from its slice by `data`: an
 * integration's bulk post costs a few outbox rows, not one per entry.
 */
function eventsInChunks<T>(
  definition: EventDefinition,
  tenant: string,
  entries: T[],
  data: (slice: T[]) => object,
): PendingEvent[] {
  const chunks: PendingEvent[] = [];
  for (let i = 0; i < entries.length; i += MAX_MOVES_PER_EVENT)
    chunks.push({
      definition,
      data: data(entries.slice(i, i + MAX_MOVES_PER_EVENT)),
      context: { tenant },
    } as PendingEvent);
  return chunks;
}

const ItemId = Type.String({
  minLength: 1,
  maxLength: 200,
  // No line terminator inside, spelled out: a `.` excludes \r and U+2028/9 in JavaScript but not in
  // other engines, so clients generating ids from the document would disagree with the validator.
  pattern: "^\\S([^\\n\\r\\u2028\\u2029]*\\S)?$",
  description: "the item's id in its source system",
});
const RegisterBody = Type.Object(
  {
    items: Type.Array(
      Type.Object(
        {
          id: ItemId,
          type: Type.Optional(
            Type.String({ minLength: 1, maxLength: 60, description: "feature, defect, risk, debt..." }),
          ),
          title: Type.Optional(Type.String({ maxLength: 500 })),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: MAX_BATCH },
    ),
  },
  { additionalProperties: false },
);
const EventsBody = Type.Object(
  {
    events: Type.Array(
      Type.Object(
        {
          itemId: ItemId,
          stepId: Uuid(),
          kind: EventKind,
          at: Type.String({ format: "date-time" }),
          reason: Type.Optional(Type.String({ maxLength: 500, description: "why it is blocked" })),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: MAX_BATCH },
    ),
  },
  { additionalProperties: false },
);
const IngestAnswer = Type.Object({
  accepted: Type.Integer(),
  duplicates: Type.Integer({ description: "events already recorded: skipped, nothing changed" }),
  flagged: Type.Array(Type.Object({ index: Type.Integer(), itemId: Type.String(), stepId: Uuid() }), {
    description: "moves into a step already at its WIP limit (stream policy `flag`)",
  }),
});
/** Work items moving through the current-state map: registration, bulk event ingestion, the pull board. */
export const workItemRoutes = resource<ValueStreamRuntime>("work items", (app, runtime) => {
  const { db, pool } = runtime;
  const backfillMs = runtime.config.WORK_ITEM_BACKFILL_DAYS * 86_400_000;
  app.post(
    "/streams/:id/work-items",
    {
      schema: {
        summary: "Register work items (bulk; already registered ids are left as they are)",
        params: IdParams,
        body: RegisterBody,
        response: {
          200: Type.Object({ registered: Type.Integer(), existing: Type.Integer() }),
          ...problems(400, 403, 404),
        },
      },
    },
    async (request) => {
      requireRole(request, "admin", "leader", "member", "service");
      const tenant = request.principal.tenantId;
      const streamId = request.params.id;
      const items = request.body.items.map((item) => ({
        id: item.id,
        type: item.type ?? "feature",
        title: item.title ?? "",
      }));
      return pgTransaction(pool, async (tx) => {
        await lockStream(tx.client, streamId, tenant);
        const rows = await insertWorkItems(tx.client, streamId, tenant, items);
        const registered = rows.map((row) => ({ itemId: row.item_id, type: row.type, title: row.title }));
        await publishEvents(
          tx,
          eventsInChunks(WorkItemsRegistered, tenant, registered, (items) => ({ streamId, items })),
        );
        if (rows.length) await markMetricsStale(tx, streamId, tenant);
        return { registered: rows.length, existing: new Set(items.map((i) => i.id)).size - rows.length };
      });
    },
  );

  app.post(
    "/streams/:id/events",
    {
      schema: {
        summary: "Ingest work-item events in bulk (entered, started, blocked, unblocked, completed)",
        description:
          "All or nothing: one bad event (unknown item or step, out of order, impossible move, WIP limit under the `reject` policy, a time more than 5 minutes ahead or before the stream's creation less WORK_ITEM_BACKFILL_DAYS) refuses the batch with 422 and lists every problem. Events already recorded are skipped, so a batch can be resent safely.",
        params: IdParams,
        body: EventsBody,
        response: { 200: IngestAnswer, ...problems(400, 403, 404, 422) },
      },
    },
    async (request) => {
      requireRole(request, "admin", "leader", "member", "service");
      const tenant = request.principal.tenantId;
      const streamId = request.params.id;
      const latest = Date.now() + FUTURE_SKEW_MS;
      const timeErrors: IngestError[] = [];
      const events: FlowEvent[] = request.body.events.map((event, index) => {
        const at = Date.parse(event.at);
        if (!Number.isFinite(at) || at > latest)
          timeErrors.push({
            index,
            code: "invalid-time",
            detail: `${event.at} is not a valid instant or lies in the future`,
          });
        return {
          itemId: event.itemId,
          stepId: event.stepId,
          kind: event.kind as FlowEvent["kind"],
          at,
          reason: event.reason ?? null,
        };
      });
      if (timeErrors.length) throw refused(timeErrors);

      return pgTransaction(pool, async (tx) => {
        const { client } = tx;
        const stream = await lockStream(client, streamId, tenant);
        // History may be back-filled, but not from before the stream existed less the back-fill period.
        const earliest = Number(stream.created_ms) - backfillMs;
        const tooEarly: IngestError[] = [];
        events.forEach((event, index) => {
          if (event.at < earliest && tooEarly.length < 100)
            tooEarly.push({
              index,
              code: "invalid-time",
              detail: `${request.body.events[index]?.at} is before ${new Date(earliest).toISOString()}, the stream's creation less ${runtime.config.WORK_ITEM_BACKFILL_DAYS} days of back-fill`,
            });
        });
        if (tooEarly.length) throw refused(tooEarly);
        const itemIds = [...new Set(events.map((e) => e.itemId))];
        const [stepLimits, positions] = await Promise.all([
          currentStepLimits(client, streamId),
          itemPositions(client, streamId, itemIds),
        ]);
        const wip = [...stepLimits.values()].some((step) => step.wipLimit !== null)
          ? await wipByStep(client, streamId)
          : new Map<string, number>();
        // Only an event no later than its item's last event can repeat one already recorded.
        const candidates = events.filter((e) => {
          const lastAt = positions.get(e.itemId)?.lastAt;
          return lastAt !== null && lastAt !== undefined && e.at <= lastAt;
        });
        const recorded = candidates.length
          ? await recordedEventKeys(client, streamId, candidates)
          : new Set<string>();
        const result = ingest(events, {
          positions,
          steps: stepLimits,
          wip,
          policy: stream.wip_policy,
          recorded,
        });
        if (result.errors.length) throw refused(result.errors);
        const accepted = result.accepted;
        if (accepted.length) {
          await insertWorkItemEvents(client, tenant, streamId, accepted);
          await moveWorkItems(client, streamId, result.moved);
          // One event per chunk of the accepted batch (see eventsInChunks), keyed by stream.
          const moves = accepted.map((e) => ({
            itemId: e.itemId,
            stepId: e.stepId,
            kind: e.kind,
            ...(e.reason ? { reason: e.reason } : {}),
            at: new Date(e.at).toISOString(),
            ...(e.overWipLimit ? { overWipLimit: true } : {}),
          }));
          await publishEvents(
            tx,
            eventsInChunks(WorkItemsMoved, tenant, moves, (slice) => ({ streamId, moves: slice })),
          );
          await markMetricsStale(tx, streamId, tenant);
        }
        return {
          accepted: accepted.length,
          duplicates: result.duplicates.length,
          flagged: accepted
            .filter((e) => e.overWipLimit)
            .map((e) => ({ index: e.index, itemId: e.itemId, stepId: e.stepId })),
        };
      });
    },
  );

  app.get(
    "/streams/:id/work-items/:itemId",
    {
      schema: {
        summary: "A work item, where it is and what happened to it",
        params: Type.Object({ id: Uuid(), itemId: Type.String({ minLength: 1, maxLength: 200 }) }),
        response: { 200: Type.Unknown(), ...problems(404) },
      },
    },
    async (request) => {
      const stream = await findStream(db, request.principal.tenantId, request.params.id);
      const item = await db.workItem.findUnique({
        where: { streamId_itemId: { streamId: stream.id, itemId: request.params.itemId } },
      });
      if (!item) throw notFound(`work item ${request.params.itemId}`);
      const events = await db.workItemEvent.findMany({
        where: { streamId: stream.id, itemId: item.itemId },
        orderBy: { seq: "asc" },
      });
      return {
        id: item.itemId,
        type: item.type,
        title: item.title,
        stepId: item.stepId,
        phase: item.phase,
        lastEventAt: item.lastEventAt?.toISOString() ?? null,
        events: events.map((e) => ({
          stepId: e.stepId,
          kind: e.kind,
          at: e.at.toISOString(),
          reason: e.reason,
          overWipLimit: e.overWipLimit,
        })),
      };
    },
  );

  app.get(
    "/streams/:id/pull",
    {
      schema: {
        summary:
          "The pull board: each step's load against its WIP limit and what waits upstream to be pulled",
        params: IdParams,
        response: { 200: PullBoard, ...problems(404) },
      },
    },
    async (request) => {
      const stream = await findStream(db, request.principal.tenantId, request.params.id);
      const map = await currentMapOf(db, stream.id);
      const items = await db.workItem.findMany({
        where: { streamId: stream.id },
        select: { itemId: true, stepId: true, phase: true, lastEventAt: true },
      });
      return {
        streamId: stream.id,
        wipPolicy: stream.wipPolicy,
        steps: pullSignals(
          map.steps.map((step) => ({ id: step.id, name: step.name, wipLimit: step.wipLimit })),
          items.map((item) => ({
            itemId: item.itemId,
            stepId: item.stepId,
            phase: item.phase as Phase,
            lastAt: item.lastEventAt?.getTime() ?? null,
          })),
        ),
      };
    },
  );
});

/** A refused batch: 422 naming every bad event (the first 100). */
function refused(errors: IngestError[]) {
  const first = errors[0] as IngestError;
  return unprocessable(
    errors.some((e) => e.code === "wip-limit-reached") ? "wip-limit-reached" : "invalid-work-item-events",
    `${errors.length} event(s) refused, nothing was recorded; first: event ${first.index}: ${first.detail}`,
    { errors: errors.slice(0, 100) },
  );
}
