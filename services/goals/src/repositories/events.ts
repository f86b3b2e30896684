import { prismaRunner } from "@okr/database";
import {
  type EventData,
  KeyResultCarriedForward,
  KeyResultUpserted,
  ObjectiveUpserted,
  PersonChanged,
} from "@okr/events";
import {
  type KeyResultType,
  keyResultMeasure,
  type ObjectiveKind,
  type ObjectiveState,
} from "@okr/goals-domain";
import { publishEvents } from "@okr/messaging";
import type { GoalsTx } from "../database.ts";
import type { Prisma } from "../generated/prisma/client.ts";

type ObjectiveRow = Prisma.ObjectiveGetPayload<object>;
type KeyResultRow = Prisma.KeyResultGetPayload<object>;

export function objectiveUpserted(row: ObjectiveRow, removed = false): EventData<typeof ObjectiveUpserted> {
  return {
    objectiveId: row.id,
    cycleId: row.cycleId,
    title: row.title,
    kind: row.kind as ObjectiveKind as never,
    state: row.state as ObjectiveState as never,
    owner: { kind: row.ownerKind as "team" | "person", id: row.ownerId },
    weight: row.weight,
    alignedToObjectiveId: row.alignedToObjectiveId,
    contributesToKeyResultId: row.contributesToKeyResultId,
    version: row.version,
    ...(removed ? { removed } : {}),
  };
}

export function keyResultUpserted(row: KeyResultRow, removed = false): EventData<typeof KeyResultUpserted> {
  return {
    keyResultId: row.id,
    objectiveId: row.objectiveId,
    cycleId: row.cycleId,
    ...keyResultMeasure(row),
    type: row.type as KeyResultType as never,
    version: row.version,
    ...(row.ownerKind && row.ownerId
      ? { owner: { kind: row.ownerKind as "team" | "person", id: row.ownerId } }
      : {}),
    ...(row.carriedFromKeyResultId ? { carriedFromKeyResultId: row.carriedFromKeyResultId } : {}),
    ...(removed ? { removed } : {}),
  };
}

/** The objective's (and optionally its key results') current state, into the outbox in the same transaction. */
export function publishObjective(
  tx: GoalsTx,
  tenant: string,
  objective: ObjectiveRow,
  keyResults: KeyResultRow[] = [],
  removed = false,
) {
  return publishEvents(prismaRunner(tx), [
    { definition: ObjectiveUpserted, data: objectiveUpserted(objective, removed), context: { tenant } },
    ...keyResults.map((kr) => ({
      definition: KeyResultUpserted,
      data: keyResultUpserted(kr, removed),
      context: { tenant },
    })),
  ] as never);
}

export function publishKeyResult(tx: GoalsTx, tenant: string, keyResult: KeyResultRow, removed = false) {
  return publishEvents(prismaRunner(tx), [
    { definition: KeyResultUpserted, data: keyResultUpserted(keyResult, removed), context: { tenant } },
  ] as never);
}

/**
 * For each new key result that carries one of another cycle forward, KeyResultCarriedForward (into the
 * outbox in the same transaction): what is tied to the old key result elsewhere follows it.
 */
export function publishCarriedForward(
  tx: GoalsTx,
  tenant: string,
  keyResults: KeyResultRow[],
  cycleOf: Map<string, string>,
) {
  return publishEvents(
    prismaRunner(tx),
    keyResults.flatMap((kr) => {
      const from = kr.carriedFromKeyResultId;
      const fromCycle = from ? cycleOf.get(from) : undefined;
      if (!from || !fromCycle) return [];
      const data: EventData<typeof KeyResultCarriedForward> = {
        keyResultId: kr.id,
        objectiveId: kr.objectiveId,
        cycleId: kr.cycleId,
        carriedFromKeyResultId: from,
        carriedFromCycleId: fromCycle,
      };
      return [{ definition: KeyResultCarriedForward, data, context: { tenant } }];
    }) as never,
  );
}

/**
 * Publishes `okr.person.changed.v1` for each of these people of the tenant, read as they stand in this
 * transaction (so the event is the committed state, whichever route changed them: people, teams, SCIM,
 * a self-join). `removed` publishes their last event; call it before deleting them. Ids of people who
 * do not exist (any more) are skipped.
 */
export async function publishPeopleChanged(
  tx: GoalsTx,
  tenantId: string,
  personIds: Iterable<string>,
  options: { removed?: boolean } = {},
): Promise<void> {
  const ids = [...new Set(personIds)].sort();
  if (ids.length === 0) return;
  const rows = await tx.person.findMany({
    where: { tenantId, id: { in: ids } },
    select: {
      id: true,
      name: true,
      email: true,
      active: true,
      timeZone: true,
      managerId: true,
      memberships: { select: { teamId: true, role: true }, orderBy: { teamId: "asc" } },
    },
    orderBy: { id: "asc" },
  });
  const changedAt = new Date().toISOString();
  await publishEvents(
    prismaRunner(tx),
    rows.map((row) => {
      const data: EventData<typeof PersonChanged> = {
        personId: row.id,
        name: row.name,
        email: row.email,
        active: row.active,
        timeZone: row.timeZone,
        managerId: row.managerId,
        teams: options.removed
          ? []
          : row.memberships.map((m) => ({
              teamId: m.teamId,
              role: m.role === "leader" ? "leader" : "member",
            })),
        removed: options.removed === true,
        changedAt,
      };
      return { definition: PersonChanged, data, context: { tenant: tenantId } };
    }) as never,
  );
}
