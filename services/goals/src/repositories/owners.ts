import type { Owner } from "@okr/goals-domain";
import { notFound } from "@okr/service-kit";
import type { GoalsTx } from "../database.ts";

/** An owner must be a team or a person of the caller's organization; anything else is unknown (404). */
export async function assertOwnerExists(tx: GoalsTx, tenantId: string, owner: Owner): Promise<void> {
  const found =
    owner.kind === "team"
      ? await tx.team.findFirst({ where: { id: owner.id, tenantId }, select: { id: true } })
      : await tx.person.findFirst({ where: { id: owner.id, tenantId }, select: { id: true } });
  if (!found) throw notFound(`${owner.kind} ${owner.id}`);
}

export const ownerOf = (row: { ownerKind: string; ownerId: string }): Owner => ({
  kind: row.ownerKind as Owner["kind"],
  id: row.ownerId,
});

/** The owner's objectives in the cycle that still count against the policy's limit (closed ones do not). */
export const countForOwner = (
  tx: GoalsTx,
  tenantId: string,
  cycleId: string,
  owner: Owner,
  excluding?: string,
) =>
  tx.objective.count({
    where: {
      tenantId,
      cycleId,
      ownerKind: owner.kind,
      ownerId: owner.id,
      state: { not: "closed" },
      ...(excluding ? { id: { not: excluding } } : {}),
    },
  });
