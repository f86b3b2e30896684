import { prismaRunner } from "@okr/database";
import { uuidv7 } from "@okr/events";
import type { ReworkLink } from "@okr/flow-metrics";
import type { ValueStreamDb, ValueStreamTx } from "../database.ts";
import type { Prisma, Step, StreamMap } from "../generated/prisma/client.ts";
import { reworkLinksOf } from "../model.ts";
import { insertStep } from "./steps.ts";

export const insertMap = (
  tx: ValueStreamTx,
  tenantId: string,
  streamId: string,
  state: "current" | "future",
  name: string,
) => tx.streamMap.create({ data: { id: uuidv7(), tenantId, streamId, state, name } });

/** One map of a stream with its steps in flow order, or null when the stream has no such map. */
export const mapOfStream = (db: Pick<ValueStreamDb, "streamMap">, streamId: string, mapId?: string) =>
  db.streamMap.findFirst({
    where: { id: mapId, streamId },
    include: { steps: { orderBy: { position: "asc" } } },
  });

/**
 * Serializes the writes that renumber a map's steps (insert, delete, reorder) until the caller's
 * transaction ends.
 */
export const lockMap = (tx: ValueStreamTx, mapId: string) =>
  prismaRunner(tx).query(`select 1 from stream_maps where id = $1::uuid for update`, [mapId]);

export const setReworkLinks = (tx: ValueStreamTx, mapId: string, links: ReworkLink[]) =>
  tx.streamMap.update({
    where: { id: mapId },
    data: { reworkLinks: links as unknown as Prisma.InputJsonValue },
  });

/** A future-state map drawn as a copy of `source`: its steps under new ids, its rework links pointing at them. */
export async function copyMap(
  tx: ValueStreamTx,
  tenantId: string,
  streamId: string,
  source: StreamMap & { steps: Step[] },
  name: string,
): Promise<StreamMap & { steps: Step[] }> {
  const created = await insertMap(tx, tenantId, streamId, "future", name);
  const newIds = new Map<string, string>();
  const steps: Step[] = [];
  for (const step of source.steps) {
    const { id, tenantId: _t, mapId: _m, position, createdAt: _c, updatedAt: _u, ...fields } = step;
    const copy = await insertStep(tx, tenantId, created.id, position, fields);
    newIds.set(id, copy.id);
    steps.push(copy);
  }
  const rework = reworkLinksOf(source.reworkLinks).map((link) => ({
    ...link,
    fromStepId: newIds.get(link.fromStepId) as string,
    toStepId: newIds.get(link.toStepId) as string,
  }));
  const saved = await setReworkLinks(tx, created.id, rework);
  return { ...saved, steps };
}
