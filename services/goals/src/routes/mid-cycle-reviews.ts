import { prismaRunner } from "@okr/database";
import { uuidv7 } from "@okr/events";
import { canHoldMidCycleReview } from "@okr/goals-domain";
import { conflict, forbidden, notFound, problems, resource, Uuid } from "@okr/service-kit";
import { Type } from "typebox";
import { transaction } from "../database.ts";
import { loadAccess } from "../repositories/access.ts";
import { recordAudit } from "../repositories/audit.ts";
import { holdMidCycleReview, type MidCycleReviewRow } from "../repositories/mid-cycle-reviews.ts";
import type { GoalsRuntime } from "../service.ts";
import { MidCycleReviewSchema } from "./views.ts";

const Params = Type.Object({ cycleId: Uuid(), teamId: Uuid() });
const Body = Type.Object(
  {
    note: Type.Optional(Type.String({ maxLength: 2000, description: "what the review concluded, briefly" })),
  },
  { additionalProperties: false },
);

const HOLD_SCHEMA = {
  summary: "Record the team's mid-cycle review as held (the team's leaders, or an admin)",
  description:
    "During CHECK_INS only. Once per team and cycle: a repeated call changes nothing and answers the first record (200; 201 when this call recorded it).",
  params: Params,
  body: Body,
  response: { 200: MidCycleReviewSchema, 201: MidCycleReviewSchema, ...problems(400, 403, 404, 409) },
};

const present = (row: MidCycleReviewRow) => ({ ...row, heldAt: row.heldAt.toISOString() });

/**
 * The mid-cycle review the cycle workflow asks each team's leaders for at the middle of CHECK_INS: a
 * leader records it as held, which takes it off their My work.
 */
export const midCycleReviewRoutes = resource<GoalsRuntime>("cycles", (app, runtime) => {
  app.post(
    "/cycles/:cycleId/teams/:teamId/mid-cycle-review",
    { schema: HOLD_SCHEMA },
    async (request, reply) => {
      const { tenantId } = request.principal;
      const { cycleId, teamId } = request.params;
      const { created, row } = await transaction(runtime.db, async (tx) => {
        const cycle = await tx.cycle.findFirst({
          where: { id: cycleId, tenantId },
          select: { phase: true },
        });
        if (!cycle) throw notFound(`cycle ${cycleId}`);
        const team = await tx.team.findFirst({ where: { id: teamId, tenantId }, select: { id: true } });
        if (!team) throw notFound(`team ${teamId}`);
        const access = await loadAccess(runtime.pool, request.principal, [{ kind: "team", id: team.id }]);
        if (!canHoldMidCycleReview(access.actor, team.id))
          throw forbidden("a team's mid-cycle review is recorded by its own leaders");
        if (cycle.phase !== "CHECK_INS")
          throw conflict(
            "mid-cycle-review-phase",
            `the mid-cycle review is held during CHECK_INS; the cycle is in ${cycle.phase}`,
          );
        const note = request.body.note?.trim() || null;
        const held = await holdMidCycleReview(prismaRunner(tx), {
          id: uuidv7(),
          tenantId,
          cycleId,
          teamId: team.id,
          note,
          heldBy: request.principal.subject,
        });
        if (held.created)
          await recordAudit(
            tx,
            request.principal,
            "mid-cycle-review.held",
            { type: "mid-cycle-review", id: held.row.id },
            { cycleId, teamId: team.id, note },
          );
        return held;
      });
      return reply.status(created ? 201 : 200).send(present(row));
    },
  );
});
