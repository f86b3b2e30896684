import { prismaRunner } from "@okr/database";
import { type EventData, ObjectiveAlignmentChanged } from "@okr/events";
import { type AlignmentNode, type AlignmentTarget, checkAlignment } from "@okr/goals-domain";
import { publishEvent } from "@okr/messaging";
import { notFound, type Principal, unprocessable } from "@okr/service-kit";
import type { GoalsTx } from "../database.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import { rejectIf } from "../rules.ts";

type ObjectiveRow = Prisma.ObjectiveGetPayload<object>;

/** Where an objective hangs in the cascade: under an objective, under a key result, or nowhere (both null). */
export interface AlignmentLink {
  alignedToObjectiveId: string | null;
  contributesToKeyResultId: string | null;
}

/**
 * The link a change leaves: what it names, else what was there. Naming one kind of parent clears the
 * other, so a change moves an objective from under an objective to under a key result in one step.
 */
export function changedLink(
  before: AlignmentLink,
  change: { alignedToObjectiveId?: string | null; contributesToKeyResultId?: string | null },
): AlignmentLink {
  return {
    alignedToObjectiveId:
      change.alignedToObjectiveId !== undefined
        ? change.alignedToObjectiveId
        : change.contributesToKeyResultId
          ? null
          : before.alignedToObjectiveId,
    contributesToKeyResultId:
      change.contributesToKeyResultId !== undefined
        ? change.contributesToKeyResultId
        : change.alignedToObjectiveId
          ? null
          : before.contributesToKeyResultId,
  };
}

/**
 * Resolves the requested cascade link inside the caller's tenant (another tenant's id is simply unknown)
 * and checks it with the domain rule: same cycle, no loop.
 */
export async function checkLink(
  tx: GoalsTx,
  tenantId: string,
  child: { id: string; cycleId: string },
  link: AlignmentLink,
): Promise<void> {
  if (link.alignedToObjectiveId && link.contributesToKeyResultId)
    throw unprocessable(
      "alignment-ambiguous",
      "an objective either aligns to an objective or contributes to a key result, not both",
    );
  let target: AlignmentTarget = { kind: "none" };
  if (link.alignedToObjectiveId) {
    const parent = await tx.objective.findFirst({ where: { id: link.alignedToObjectiveId, tenantId } });
    if (!parent) throw notFound(`objective ${link.alignedToObjectiveId}`);
    target = { kind: "objective", objective: await node(tx, parent) };
  } else if (link.contributesToKeyResultId) {
    const kr = await tx.keyResult.findFirst({
      where: { id: link.contributesToKeyResultId, tenantId },
      include: { objective: true },
    });
    if (!kr) throw notFound(`key result ${link.contributesToKeyResultId}`);
    target = { kind: "key-result", keyResultId: kr.id, objective: await node(tx, kr.objective) };
  }
  if (target.kind === "none") return;
  const cycleObjectives = await tx.objective.findMany({
    where: { tenantId, cycleId: target.objective.cycleId },
    select: {
      id: true,
      tenantId: true,
      cycleId: true,
      alignedToObjectiveId: true,
      contributesTo: { select: { objectiveId: true } },
    },
  });
  const graph = new Map<string, AlignmentNode>(
    cycleObjectives.map((o) => [
      o.id,
      {
        id: o.id,
        tenantId: o.tenantId,
        cycleId: o.cycleId,
        alignedToObjectiveId: o.alignedToObjectiveId,
        contributesToObjectiveId: o.contributesTo?.objectiveId ?? null,
      },
    ]),
  );
  const problem = checkAlignment({ ...child, tenantId }, target, (id) => graph.get(id));
  if (problem) rejectIf([problem]);
}

async function node(tx: GoalsTx, row: ObjectiveRow): Promise<AlignmentNode> {
  const contributesTo = row.contributesToKeyResultId
    ? await tx.keyResult.findFirst({
        where: { id: row.contributesToKeyResultId },
        select: { objectiveId: true },
      })
    : null;
  return {
    id: row.id,
    tenantId: row.tenantId,
    cycleId: row.cycleId,
    alignedToObjectiveId: row.alignedToObjectiveId,
    contributesToObjectiveId: contributesTo?.objectiveId ?? null,
  };
}

/** Into the outbox, when a write moved the objective in the cascade (`before` null: it is new). */
export async function publishAlignmentChange(
  tx: GoalsTx,
  principal: Principal,
  before: ObjectiveRow | null,
  after: ObjectiveRow,
): Promise<void> {
  const previous: AlignmentLink = before ?? { alignedToObjectiveId: null, contributesToKeyResultId: null };
  if (
    previous.alignedToObjectiveId === after.alignedToObjectiveId &&
    previous.contributesToKeyResultId === after.contributesToKeyResultId
  )
    return;
  const data: EventData<typeof ObjectiveAlignmentChanged> = {
    objectiveId: after.id,
    cycleId: after.cycleId,
    alignedToObjectiveId: after.alignedToObjectiveId,
    contributesToKeyResultId: after.contributesToKeyResultId,
    previousAlignedToObjectiveId: previous.alignedToObjectiveId,
    previousContributesToKeyResultId: previous.contributesToKeyResultId,
    actorId: principal.subject,
  };
  await publishEvent(prismaRunner(tx), ObjectiveAlignmentChanged, data, { tenant: principal.tenantId });
}
