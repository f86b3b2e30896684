import { prismaRunner } from "@okr/database";
import { type EventData, ObjectiveStateChanged } from "@okr/events";
import {
  canApprove,
  canWorkOn,
  checkKeyResultCountOnSubmit,
  checkObjectiveCountOnSubmit,
  isAdmin,
  merge,
  type ObjectiveAction,
  type ObjectiveState as State,
  transition,
} from "@okr/goals-domain";
import { publishEvent } from "@okr/messaging";
import { forbidden, notFound, type Principal } from "@okr/service-kit";
import type { GoalsTx } from "../database.ts";
import { applyVerdict, conflictOn, cycleLocked, rejectIf } from "../rules.ts";
import type { GoalsRuntime } from "../service.ts";
import { loadAccess } from "./access.ts";
import { recordAudit } from "./audit.ts";
import { publishObjective } from "./events.ts";
import { type ObjectiveView, viewObjective } from "./objective-view.ts";
import { countForOwner, ownerOf } from "./owners.ts";
import { loadPolicy } from "./policy.ts";

export type TransitionBody = { reason?: string; actorId?: string };

/**
 * Moves one objective through its life cycle (submit, approve, return, close) inside the caller's
 * transaction: permission, cycle lock, the domain's transition rule and, on submit, the policy's limits;
 * then the state change, its events through the outbox and the audit entry. The objective routes and the
 * team submission of a cycle run share it, so both paths apply the same rules.
 */
export async function transitionObjective(
  runtime: GoalsRuntime,
  tx: GoalsTx,
  principal: Principal,
  objectiveId: string,
  action: ObjectiveAction,
  body: TransitionBody,
): Promise<ObjectiveView & { warnings?: ReturnType<typeof applyVerdict> }> {
  const { tenantId } = principal;
  // The actor is the caller. Admins and the service credential (the cycle worker) may act on someone's
  // behalf: the event names that person, the audit entry both.
  const onBehalfOf =
    body.actorId !== undefined && body.actorId !== principal.subject ? body.actorId : undefined;
  if (onBehalfOf !== undefined && !isAdmin({ roles: principal.roles }))
    throw forbidden("only admins and the service credential act on someone's behalf (actorId)");
  const before = await tx.objective.findFirst({
    where: { id: objectiveId, tenantId },
    include: { cycle: true, keyResults: { select: { id: true } } },
  });
  if (!before) throw notFound(`objective ${objectiveId}`);
  const owner = ownerOf(before);
  const access = await loadAccess(runtime.pool, principal, [owner]);
  const allowed =
    action === "submit"
      ? canWorkOn(access.actor, owner, access.context)
      : action === "close"
        ? canWorkOn(access.actor, owner, access.context) || canApprove(access.actor, owner, access.context)
        : canApprove(access.actor, owner, access.context);
  if (!allowed)
    throw forbidden(
      action === "submit"
        ? "only the objective's owners submit it"
        : `only a leader of the owning team (or a team above it) or an admin may ${action} this objective`,
    );
  if (action !== "close" && before.cycle.locked) throw cycleLocked(before.cycle.phase);
  const move = transition(before.state as State, action, body.reason);
  if (move.kind === "rejected") {
    if (move.violation.code === "return-needs-reason") rejectIf([move.violation]);
    throw conflictOn(move.violation);
  }
  let warnings: ReturnType<typeof applyVerdict> = [];
  if (move.kind === "move" && action === "submit") {
    const policy = await loadPolicy(tx, tenantId);
    warnings = applyVerdict(
      merge(
        checkKeyResultCountOnSubmit(policy, before.keyResults.length),
        checkObjectiveCountOnSubmit(policy, await countForOwner(tx, tenantId, before.cycleId, owner)),
      ),
    );
  }
  if (move.kind === "move") {
    const after = await tx.objective.update({
      where: { id: before.id },
      data: {
        state: move.to,
        returnReason: action === "return" ? (body.reason ?? null) : before.returnReason,
        version: { increment: 1 },
      },
    });
    const actorId = (onBehalfOf ?? principal.subject).slice(0, 200);
    const data: EventData<typeof ObjectiveStateChanged> = {
      objectiveId: after.id,
      cycleId: after.cycleId,
      from: move.from as never,
      to: move.to as never,
      ...(body.reason ? { reason: body.reason } : {}),
      actorId,
    };
    await publishEvent(prismaRunner(tx), ObjectiveStateChanged, data, { tenant: tenantId });
    await publishObjective(tx, tenantId, after);
    await recordAudit(
      tx,
      principal,
      `objective.${action}`,
      { type: "objective", id: after.id },
      {
        from: move.from,
        to: move.to,
        ...(body.reason ? { reason: body.reason } : {}),
        ...(onBehalfOf !== undefined ? { onBehalfOf } : {}),
      },
    );
  }
  const view = (await viewObjective(tx, tenantId, before.id)) as ObjectiveView;
  return { ...view, ...(warnings.length ? { warnings } : {}) };
}
