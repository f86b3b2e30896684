import { uuidv7 } from "@okr/events";
import type { Clocks } from "@okr/flow-metrics";
import { notFound } from "@okr/service-kit";
import type { ValueStreamDb, ValueStreamTx } from "../database.ts";
import type { Prisma, Step } from "../generated/prisma/client.ts";
import { insertMap } from "./maps.ts";
import { insertStep, type StepFields } from "./steps.ts";

export interface StreamSettings {
  name: string;
  dailyDemand: number;
  availableMinutesPerDay: number;
  wipPolicy: "reject" | "flag";
  clocks: Clocks;
}

/**
 * A new stream of one of the tenant's product families (another tenant's is unknown), with its
 * current-state map holding `steps` in flow order.
 */
export async function insertStream(
  tx: ValueStreamTx,
  tenantId: string,
  familyId: string,
  settings: StreamSettings,
  currentMapName: string,
  steps: StepFields[],
) {
  const family = await tx.productFamily.findFirst({ where: { id: familyId, tenantId } });
  if (!family) throw notFound(`product family ${familyId}`);
  const stream = await tx.valueStream.create({
    data: {
      id: uuidv7(),
      tenantId,
      familyId,
      ...settings,
      clocks: settings.clocks as unknown as Prisma.InputJsonValue,
    },
  });
  const map = await insertMap(tx, tenantId, stream.id, "current", currentMapName);
  const created: Step[] = [];
  for (const [position, fields] of steps.entries())
    created.push(await insertStep(tx, tenantId, map.id, position, fields));
  return { stream, map, steps: created };
}

/** A page of the tenant's streams (one more than `limit`, for page()), each with its maps. */
export const listStreams = (
  db: ValueStreamDb,
  tenantId: string,
  query: { limit: number; cursor?: string; familyId?: string },
) =>
  db.valueStream.findMany({
    where: {
      tenantId,
      ...(query.cursor ? { id: { gt: query.cursor } } : {}),
      ...(query.familyId ? { familyId: query.familyId } : {}),
    },
    include: { maps: { orderBy: { createdAt: "asc" } } },
    orderBy: { id: "asc" },
    take: query.limit + 1,
  });

export const updateStream = (
  tx: ValueStreamTx,
  id: string,
  settings: Partial<StreamSettings> & { clocks: Clocks },
) =>
  tx.valueStream.update({
    where: { id },
    data: { ...settings, clocks: settings.clocks as unknown as Prisma.InputJsonValue },
  });

/** The metric values last published for a stream (none yet: empty). */
export async function publishedMetrics(db: ValueStreamDb, streamId: string) {
  const state = await db.streamMetricState.findUnique({ where: { streamId } });
  return state?.lastValues ?? {};
}
