import { uuidv7 } from "@okr/events";
import { notFound } from "@okr/service-kit";
import type { ValueStreamDb, ValueStreamTx } from "../database.ts";
import type { Step } from "../generated/prisma/client.ts";

/** What a step body sets: everything but its identity and place in a map. */
export type StepFields = Omit<Step, "id" | "tenantId" | "mapId" | "position" | "createdAt" | "updatedAt">;

export const insertStep = (
  tx: ValueStreamTx,
  tenantId: string,
  mapId: string,
  position: number,
  fields: StepFields,
) => tx.step.create({ data: { id: uuidv7(), tenantId, mapId, position, ...fields } });

/**
 * Inserts a step before `position` (appends it when absent or past the end), moving the later steps one
 * down. The caller holds the map's lock (lockMap) so two inserts cannot take the same position.
 */
export async function insertStepAt(
  tx: ValueStreamTx,
  tenantId: string,
  mapId: string,
  position: number | undefined,
  fields: StepFields,
) {
  const count = await tx.step.count({ where: { mapId } });
  const at = Math.min(position ?? count, count);
  await tx.step.updateMany({
    where: { mapId, position: { gte: at } },
    data: { position: { increment: 1 } },
  });
  return insertStep(tx, tenantId, mapId, at, fields);
}

/** The caller's tenant's step with its map and that map's stream; another tenant's is unknown. */
export async function findStep(db: Pick<ValueStreamDb, "step">, tenantId: string, id: string) {
  const step = await db.step.findFirst({
    where: { id, tenantId },
    include: { map: { include: { stream: true } } },
  });
  if (!step) throw notFound(`step ${id}`);
  return step;
}

export const updateStep = (tx: ValueStreamTx, id: string, fields: Partial<StepFields>) =>
  tx.step.update({ where: { id }, data: fields });

/** Deletes a step and closes the gap it leaves in its map's positions. */
export async function deleteStep(tx: ValueStreamTx, step: Step) {
  await tx.step.delete({ where: { id: step.id } });
  await tx.step.updateMany({
    where: { mapId: step.mapId, position: { gt: step.position } },
    data: { position: { decrement: 1 } },
  });
}

/** Gives each step its index in `stepIds` as its position. */
export async function reorderSteps(tx: ValueStreamTx, stepIds: readonly string[]) {
  for (const [position, id] of stepIds.entries()) await tx.step.update({ where: { id }, data: { position } });
}

/** The ids of a map's steps. */
export async function stepIdsOf(tx: ValueStreamTx, mapId: string): Promise<Set<string>> {
  const rows = await tx.step.findMany({ where: { mapId }, select: { id: true } });
  return new Set(rows.map((s) => s.id));
}

/** How many of a stream's work items are in (or last completed) a step. */
export const workItemsAt = (tx: ValueStreamTx, streamId: string, stepId: string) =>
  tx.workItem.count({ where: { streamId, stepId } });
