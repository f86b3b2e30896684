import { prismaRunner } from "@okr/database";
import { type EventData, RetrospectiveSubmitted, uuidv7 } from "@okr/events";
import { type CyclePhase, canWriteRetrospective, validateRetrospective } from "@okr/goals-domain";
import { publishEvent } from "@okr/messaging";
import { forbidden, notFound, problems, resource, Uuid } from "@okr/service-kit";
import { Type } from "typebox";
import { transaction } from "../database.ts";
import { loadAccess } from "../repositories/access.ts";
import { recordAudit } from "../repositories/audit.ts";
import { rejectIf } from "../rules.ts";
import type { GoalsRuntime } from "../service.ts";
import { RetrospectiveSchema as Retrospective } from "./views.ts";

const Reflection = (description: string) => Type.String({ maxLength: 8000, description });

const RetrospectiveBody = Type.Object(
  {
    teamId: Uuid(),
    wentWell: Reflection("what went well"),
    didNotGoWell: Reflection("what did not go well"),
    lessons: Reflection("what the team learned"),
    carryForwardKeyResultIds: Type.Array(Uuid(), {
      maxItems: 100,
      description: "key results of this cycle proposed for the next cycle's drafts",
    }),
  },
  { additionalProperties: false },
);

type Row = {
  id: string;
  cycleId: string;
  teamId: string;
  wentWell: string;
  didNotGoWell: string;
  lessons: string;
  carryForwardKeyResultIds: string[];
  authorId: string;
  updatedAt: Date;
};
const present = (row: Row) => ({ ...row, updatedAt: row.updatedAt.toISOString() });
const CycleParams = Type.Object({ cycleId: Uuid() });

/** Retrospectives per team per cycle: what went well, what did not, lessons, and carry-forward proposals. */
export const retrospectiveRoutes = resource<GoalsRuntime>("retrospectives", (app, runtime) => {
  app.get(
    "/cycles/:cycleId/retrospectives",
    {
      schema: {
        summary: "The cycle's retrospectives (one per team)",
        params: CycleParams,
        querystring: Type.Object({ teamId: Type.Optional(Uuid()) }, { additionalProperties: false }),
        response: { 200: Type.Object({ items: Type.Array(Retrospective) }), ...problems(404) },
      },
    },
    async (request) => {
      const { tenantId } = request.principal;
      const cycle = await runtime.db.cycle.findFirst({ where: { id: request.params.cycleId, tenantId } });
      if (!cycle) throw notFound(`cycle ${request.params.cycleId}`);
      const rows = await runtime.db.retrospective.findMany({
        where: {
          tenantId,
          cycleId: cycle.id,
          ...(request.query.teamId ? { teamId: request.query.teamId } : {}),
        },
        orderBy: { id: "asc" },
      });
      return { items: rows.map(present) };
    },
  );

  app.post(
    "/cycles/:cycleId/retrospectives",
    {
      schema: {
        summary: "Submit (or revise) the team's retrospective for the cycle (the team's leaders and members)",
        params: CycleParams,
        body: RetrospectiveBody,
        response: { 200: Retrospective, 201: Retrospective, ...problems(400, 403, 404, 422) },
      },
    },
    async (request, reply) => {
      const { tenantId } = request.principal;
      const body = request.body;
      const { created, row } = await transaction(runtime.db, async (tx) => {
        const cycle = await tx.cycle.findFirst({ where: { id: request.params.cycleId, tenantId } });
        if (!cycle) throw notFound(`cycle ${request.params.cycleId}`);
        const team = await tx.team.findFirst({
          where: { id: body.teamId, tenantId },
          select: { id: true },
        });
        if (!team) throw notFound(`team ${body.teamId}`);
        const access = await loadAccess(runtime.pool, request.principal, [{ kind: "team", id: team.id }]);
        if (!canWriteRetrospective(access.actor, team.id, access.context))
          throw forbidden("a team's retrospective is written by its own leaders and members");
        const known = await tx.keyResult.findMany({
          where: { tenantId, cycleId: cycle.id, id: { in: body.carryForwardKeyResultIds } },
          select: { id: true },
        });
        const ofCycle = new Set(known.map((k) => k.id));
        rejectIf(validateRetrospective(body, cycle.phase as CyclePhase, (id) => ofCycle.has(id)));
        const existing = await tx.retrospective.findFirst({
          where: { tenantId, cycleId: cycle.id, teamId: team.id },
        });
        const fields = {
          wentWell: body.wentWell,
          didNotGoWell: body.didNotGoWell,
          lessons: body.lessons,
          carryForwardKeyResultIds: body.carryForwardKeyResultIds,
          authorId: request.principal.subject,
        };
        const saved = existing
          ? await tx.retrospective.update({ where: { id: existing.id }, data: fields })
          : await tx.retrospective.create({
              data: { id: uuidv7(), tenantId, cycleId: cycle.id, teamId: team.id, ...fields },
            });
        const data: EventData<typeof RetrospectiveSubmitted> = {
          retrospectiveId: saved.id,
          cycleId: saved.cycleId,
          teamId: saved.teamId,
          wentWell: saved.wentWell,
          didNotGoWell: saved.didNotGoWell,
          lessons: saved.lessons,
          carryForwardKeyResultIds: saved.carryForwardKeyResultIds,
        };
        await publishEvent(prismaRunner(tx), RetrospectiveSubmitted, data, { tenant: tenantId });
        await recordAudit(
          tx,
          request.principal,
          existing ? "retrospective.revised" : "retrospective.submitted",
          { type: "retrospective", id: saved.id },
          body,
        );
        return { created: !existing, row: saved };
      });
      return reply.status(created ? 201 : 200).send(present(row));
    },
  );
});
