// Work items and their events, on the ingestion path: pg through the port (the reads that build the
// ingest state ask pg for array rows, so a large batch builds no object per row).
import type { SqlRunner } from "@okr/database";
import {
  type AcceptedEvent,
  eventKey,
  type FlowEvent,
  type ItemPosition,
  type Phase,
  type WipPolicy,
} from "@okr/flow-metrics";
import { notFound } from "@okr/service-kit";
import type pg from "pg";

type PositionRow = [string, string | null, Phase, "queued" | "active" | null, string | null];

/**
 * Locks the tenant's stream for the caller's transaction (one batch of a stream at a time) and returns its
 * WIP policy and creation time (epoch ms, as text); another tenant's stream is unknown.
 */
export async function lockStream(db: SqlRunner, streamId: string, tenantId: string) {
  const { rows } = await db.query<{ wip_policy: WipPolicy; created_ms: string }>(
    `select wip_policy, (extract(epoch from created_at) * 1000)::bigint::text as created_ms
       from value_streams where id = $1 and tenant_id = $2 for update`,
    [streamId, tenantId],
  );
  if (!rows[0]) throw notFound(`value stream ${streamId}`);
  return rows[0];
}

/** Registers the items not registered yet (phase `new`) and returns those it inserted. */
export async function insertWorkItems(
  db: SqlRunner,
  streamId: string,
  tenantId: string,
  items: { id: string; type: string; title: string }[],
) {
  const { rows } = await db.query<{ item_id: string; type: string; title: string }>(
    `insert into work_items (stream_id, tenant_id, item_id, type, title, phase)
     select $1, $2, * , 'new' from unnest($3::text[], $4::text[], $5::text[])
     on conflict (stream_id, item_id) do nothing
     returning item_id, type, title`,
    [streamId, tenantId, items.map((i) => i.id), items.map((i) => i.type), items.map((i) => i.title)],
  );
  return rows;
}

/** The steps of the stream's current-state map, with their WIP limits. */
export async function currentStepLimits(
  client: pg.ClientBase,
  streamId: string,
): Promise<Map<string, { wipLimit: number | null }>> {
  const { rows } = await client.query<[string, number | null]>({
    text: `select s.id, s.wip_limit from steps s join stream_maps m on m.id = s.map_id
           where m.stream_id = $1 and m.state = 'current'`,
    values: [streamId],
    rowMode: "array",
  });
  return new Map(rows.map(([id, limit]) => [id, { wipLimit: limit }]));
}

/** Where each of these registered items is; an unregistered one is absent. */
export async function itemPositions(
  client: pg.ClientBase,
  streamId: string,
  itemIds: string[],
): Promise<Map<string, ItemPosition>> {
  const { rows } = await client.query<PositionRow>({
    text: `select item_id, step_id, phase, blocked_from, (extract(epoch from last_event_at) * 1000)::bigint::text
           from work_items where stream_id = $1 and item_id = any($2::text[])`,
    values: [streamId, itemIds],
    rowMode: "array",
  });
  return new Map<string, ItemPosition>(
    rows.map(([id, stepId, phase, blockedFrom, lastAt]) => [
      id,
      { stepId, phase, blockedFrom, lastAt: lastAt === null ? null : Number(lastAt) },
    ]),
  );
}

/** Items in each step (queued, active or blocked); steps with none are absent. */
export async function wipByStep(client: pg.ClientBase, streamId: string): Promise<Map<string, number>> {
  const { rows } = await client.query<[string, string]>({
    text: `select step_id, count(*)::text from work_items
           where stream_id = $1 and phase in ('queued', 'active', 'blocked') group by step_id`,
    values: [streamId],
    rowMode: "array",
  });
  return new Map(rows.map(([stepId, count]) => [stepId, Number(count)]));
}

/** The keys (eventKey) of those of `candidates` already recorded. */
export async function recordedEventKeys(
  client: pg.ClientBase,
  streamId: string,
  candidates: FlowEvent[],
): Promise<Set<string>> {
  const { rows } = await client.query<[string, string, string, string]>({
    text: `select e.item_id, e.step_id, e.kind, (extract(epoch from e.at) * 1000)::bigint::text
           from work_item_events e
           join unnest($2::text[], $3::uuid[], $4::text[], $5::timestamptz[]) as k(item_id, step_id, kind, at)
             on e.item_id = k.item_id and e.step_id = k.step_id and e.kind = k.kind and e.at = k.at
           where e.stream_id = $1`,
    values: [
      streamId,
      candidates.map((e) => e.itemId),
      candidates.map((e) => e.stepId),
      candidates.map((e) => e.kind),
      candidates.map((e) => new Date(e.at).toISOString()),
    ],
    rowMode: "array",
  });
  return new Set(
    rows.map(([itemId, stepId, kind, at]) =>
      eventKey({ itemId, stepId, kind: kind as FlowEvent["kind"], at: Number(at) }),
    ),
  );
}

/** Records accepted events (one statement for the batch). */
export async function insertWorkItemEvents(
  db: SqlRunner,
  tenantId: string,
  streamId: string,
  accepted: AcceptedEvent[],
): Promise<void> {
  await db.query(
    `insert into work_item_events (tenant_id, stream_id, item_id, step_id, kind, reason, at, over_wip_limit)
     select $1, $2, * from unnest($3::text[], $4::uuid[], $5::text[], $6::text[], $7::timestamptz[], $8::boolean[])`,
    [
      tenantId,
      streamId,
      accepted.map((e) => e.itemId),
      accepted.map((e) => e.stepId),
      accepted.map((e) => e.kind),
      accepted.map((e) => e.reason ?? null),
      accepted.map((e) => new Date(e.at).toISOString()),
      accepted.map((e) => e.overWipLimit),
    ],
  );
}

/** Moves items to their new positions (one statement for the batch). */
export async function moveWorkItems(
  db: SqlRunner,
  streamId: string,
  moved: Map<string, ItemPosition>,
): Promise<void> {
  const entries = [...moved.entries()];
  await db.query(
    `update work_items w set step_id = u.step_id, phase = u.phase, blocked_from = u.blocked_from, last_event_at = u.at
     from unnest($2::text[], $3::uuid[], $4::text[], $5::text[], $6::timestamptz[]) as u(item_id, step_id, phase, blocked_from, at)
     where w.stream_id = $1 and w.item_id = u.item_id`,
    [
      streamId,
      entries.map(([id]) => id),
      entries.map(([, p]) => p.stepId),
      entries.map(([, p]) => p.phase),
      entries.map(([, p]) => p.blockedFrom),
      entries.map(([, p]) => (p.lastAt === null ? null : new Date(p.lastAt).toISOString())),
    ],
  );
}
