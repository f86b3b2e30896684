import type { SqlRunner } from "@okr/database";
import { notFound } from "@okr/service-kit";
import type { ValueStreamDb } from "./database.ts";

type Reader = Pick<ValueStreamDb, "valueStream" | "streamMap" | "step">;

/** The stream of the caller's tenant; another tenant's id is as unknown as a made-up one. */
export async function findStream(db: Reader, tenantId: string, id: string) {
  const stream = await db.valueStream.findFirst({
    where: { id, tenantId },
    include: { maps: { orderBy: { createdAt: "asc" } } },
  });
  if (!stream) throw notFound(`value stream ${id}`);
  return stream;
}

export async function findMap(db: Reader, tenantId: string, id: string) {
  const map = await db.streamMap.findFirst({
    where: { id, tenantId },
    include: { steps: { orderBy: { position: "asc" } }, stream: true },
  });
  if (!map) throw notFound(`map ${id}`);
  return map;
}

export async function currentMapOf(db: Reader, streamId: string) {
  const map = await db.streamMap.findFirst({
    where: { streamId, state: "current" },
    include: { steps: { orderBy: { position: "asc" } } },
  });
  if (!map) throw new Error(`stream ${streamId} has no current-state map`);
  return map;
}

/**
 * Records, in the caller's transaction, that a stream's metrics may have moved: the metric publisher picks
 * it up on its next pass. `force` names a metric to publish on that pass even if its value did not move (a
 * new binding gets the current value at once).
 */
export async function markMetricsStale(
  tx: SqlRunner,
  streamId: string,
  tenantId: string,
  force: string | null = null,
): Promise<void> {
  await tx.query(
    `insert into stream_metric_states (stream_id, tenant_id, version, dirty_since, forced_metrics)
     values ($1::uuid, $2::uuid, 1, now(), array_remove(array[$3::text], null))
     on conflict (stream_id) do update set
       version = stream_metric_states.version + 1,
       dirty_since = coalesce(stream_metric_states.dirty_since, now()),
       forced_metrics = array_remove(stream_metric_states.forced_metrics || array[$3::text], null)`,
    [streamId, tenantId, force],
  );
}
