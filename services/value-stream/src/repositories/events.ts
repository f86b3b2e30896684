import { prismaRunner } from "@okr/database";
import { StepChanged, ValueStreamChanged } from "@okr/events";
import { publishEvent } from "@okr/messaging";
import type { ValueStreamTx } from "../database.ts";
import type { Step, ValueStream } from "../generated/prisma/client.ts";
import { type DemandRow, presentStep } from "../model.ts";

/** A step's current state (or its removal), into the outbox in the caller's transaction. */
export async function publishStep(
  tx: ValueStreamTx,
  step: Step,
  demand: DemandRow,
  streamId: string,
  tenant: string,
  removed = false,
) {
  const view = presentStep(step, demand);
  await publishEvent(
    prismaRunner(tx),
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
      changeoverMinutes: step.changeoverMinutes,
      uptimePercent: step.uptimePercent,
      removed,
    },
    { tenant },
  );
}

/** A stream's settings and what changed about it (a map drawn, a sequence changed), into the outbox. */
export async function publishStream(
  tx: ValueStreamTx,
  stream: ValueStream,
  change: "created" | "updated" | "map-created" | "sequence-changed",
  mapId?: string,
) {
  await publishEvent(
    prismaRunner(tx),
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
