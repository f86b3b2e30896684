import { uuidv7 } from "@okr/events";
import type { Principal } from "@okr/service-kit";
import type { GoalsTx } from "../database.ts";

/** One audit row per write, in the write's own transaction: who changed what, and when. */
export function recordAudit(
  tx: GoalsTx,
  principal: Principal,
  action: string,
  entity: { type: string; id: string },
  changes: Record<string, unknown>,
) {
  return tx.auditEntry.create({
    data: {
      id: uuidv7(),
      tenantId: principal.tenantId,
      actorId: principal.subject,
      action,
      entityType: entity.type,
      entityId: entity.id,
      changes: JSON.parse(JSON.stringify(changes)),
    },
  });
}
