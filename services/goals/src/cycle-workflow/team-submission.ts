import { notFound, type Principal, unprocessable } from "@okr/service-kit";
import { transaction } from "../database.ts";
import { transitionObjective } from "../repositories/objective-transitions.ts";
import type { GoalsRuntime } from "../service.ts";

export interface TeamSubmission {
  objectiveIds?: string[];
  adoptedKeyResultIds?: string[];
}

/** Already on its way: a second submission (a revision, a retry) leaves these as they are. */
const SUBMITTED_STATES = new Set(["submitted", "approved"]);

/**
 * A team's submission in a cycle run changes state in two places: its objectives in goals (draft or
 * returned -> submitted, under the same permission and policy checks as a single objective's submit)
 * and its drafting in the workflow (whose update validator decides phase and leadership). Both happen
 * in one database transaction that commits only once the workflow has accepted the update, so a
 * rejected submission leaves every objective as it was. The listed objectives must be the team's own
 * in this cycle; adopted key results must belong to the parent team's objectives in this cycle.
 */
export async function submitTeamObjectives<Accepted>(
  runtime: GoalsRuntime,
  principal: Principal,
  target: { cycleId: string; teamId: string },
  submission: TeamSubmission,
  acceptInWorkflow: () => Promise<Accepted>,
): Promise<Accepted> {
  const { tenantId } = principal;
  const { cycleId, teamId } = target;
  return transaction(
    runtime.db,
    async (tx) => {
      const team = await tx.team.findFirst({
        where: { id: teamId, tenantId },
        select: { id: true, name: true, parentTeamId: true },
      });
      if (!team) throw unprocessable("unknown-team", `team ${teamId} is not a team of this organization`);

      const objectiveIds = [...new Set(submission.objectiveIds ?? [])];
      const objectives = await tx.objective.findMany({
        where: { tenantId, id: { in: objectiveIds } },
        select: { id: true, cycleId: true, ownerKind: true, ownerId: true, state: true },
        // Submitted in id order: the row locks of concurrent multi-row writes are taken in one order.
        orderBy: { id: "asc" },
      });
      const byId = new Map(objectives.map((objective) => [objective.id, objective]));
      for (const id of objectiveIds) {
        const objective = byId.get(id);
        if (!objective) throw notFound(`objective ${id}`);
        if (objective.cycleId !== cycleId || objective.ownerKind !== "team" || objective.ownerId !== teamId)
          throw unprocessable(
            "not-team-objective",
            `objective ${id} is not an objective of team ${team.name} in cycle ${cycleId}`,
          );
      }

      const adoptedIds = [...new Set(submission.adoptedKeyResultIds ?? [])];
      if (adoptedIds.length > 0) {
        if (!team.parentTeamId)
          throw unprocessable(
            "not-parent-key-result",
            `team ${team.name} has no parent team whose key results it could adopt`,
          );
        const keyResults = await tx.keyResult.findMany({
          where: { tenantId, id: { in: adoptedIds } },
          select: { id: true, objective: { select: { cycleId: true, ownerKind: true, ownerId: true } } },
        });
        const found = new Map(keyResults.map((keyResult) => [keyResult.id, keyResult.objective]));
        for (const id of adoptedIds) {
          const parentObjective = found.get(id);
          if (!parentObjective) throw notFound(`key result ${id}`);
          if (
            parentObjective.cycleId !== cycleId ||
            parentObjective.ownerKind !== "team" ||
            parentObjective.ownerId !== team.parentTeamId
          )
            throw unprocessable(
              "not-parent-key-result",
              `key result ${id} is not a key result of team ${team.name}'s parent team in cycle ${cycleId}`,
            );
        }
      }

      for (const objective of objectives)
        if (!SUBMITTED_STATES.has(objective.state))
          await transitionObjective(runtime, tx, principal, objective.id, "submit", {
            actorId: principal.subject,
          });
      // Last: a rejection rolls back the submits above.
      return acceptInWorkflow();
    },
    // The workflow update may wait briefly for a team's drafting workflow that is still starting.
    { timeout: 30_000, maxWait: 10_000 },
  );
}
