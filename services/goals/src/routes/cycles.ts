import { prismaRunner } from "@okr/database";
import { CyclePhaseChanged, type EventData, uuidv7 } from "@okr/events";
import { buildAlignmentTree, changePhase, type CyclePhase as Phase, validateCycle } from "@okr/goals-domain";
import { publishEvent } from "@okr/messaging";
import {
  conflict,
  listPage,
  noContent,
  PageQuery,
  problems,
  requireRole,
  resource,
  Uuid,
} from "@okr/service-kit";
import { Type } from "typebox";
import { type GoalsTx, transaction } from "../database.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import { recordAudit } from "../repositories/audit.ts";
import {
  assertCycleNameFree,
  calendarColumns,
  checkInStatus,
  findCycle,
  findUnlockedCycle,
} from "../repositories/cycles.ts";
import { keyResultsInOrder, viewObjectives } from "../repositories/objective-view.ts";
import { requireOrganization } from "../repositories/organization.ts";
import { loadPolicy } from "../repositories/policy.ts";
import { conflictOn, rejectIf } from "../rules.ts";
import type { GoalsRuntime } from "../service.ts";
import { CyclePhase, DateTime, NullableUuid } from "./schemas.ts";
import { Cadence, CheckInStatusSchema, CycleSchema } from "./views.ts";

type CycleRow = Prisma.CycleGetPayload<object>;

const CycleBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100, description: "e.g. 2027-Q1" }),
    startsAt: DateTime(),
    endsAt: DateTime(),
    timeZone: Type.String({ minLength: 1, maxLength: 64, description: "IANA time zone, e.g. Europe/Berlin" }),
    checkInCadence: Type.Optional(Cadence),
  },
  { additionalProperties: false },
);

const CyclePatch = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    startsAt: Type.Optional(DateTime()),
    endsAt: Type.Optional(DateTime()),
    timeZone: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    checkInCadence: Type.Optional(Cadence),
  },
  { additionalProperties: false, minProperties: 1 },
);

const CycleParams = Type.Object({ cycleId: Uuid() });

export const presentCycle = (row: CycleRow) => ({
  id: row.id,
  name: row.name,
  startsAt: row.startsAt.toISOString(),
  endsAt: row.endsAt.toISOString(),
  timeZone: row.timeZone,
  checkInCadence: { weekday: row.checkInWeekday, hour: row.checkInHour, everyDays: row.checkInEveryDays },
  phase: row.phase as Phase,
  locked: row.locked,
});

async function publishPhase(tx: GoalsTx, tenantId: string, row: CycleRow, previousPhase: Phase | null) {
  const data: EventData<typeof CyclePhaseChanged> = {
    cycleId: row.id,
    name: row.name,
    phase: row.phase as never,
    previousPhase: previousPhase as never,
    startsAt: row.startsAt.toISOString(),
    endsAt: row.endsAt.toISOString(),
    changedAt: row.updatedAt.toISOString(),
  };
  await publishEvent(prismaRunner(tx), CyclePhaseChanged, data, { tenant: tenantId });
}

/** Cycles (calendar, cadence, phase), their check-in status and their whole alignment tree. */
export const cycleRoutes = resource<GoalsRuntime>("cycles", (app, runtime) => {
  app.post(
    "/cycles",
    {
      config: { creates: "/cycles/:cycleId" },
      schema: {
        summary: "Open a cycle in phase SETTING (admins)",
        body: CycleBody,
        response: { 201: CycleSchema, ...problems(400, 403, 409, 422) },
      },
    },
    async (request, reply) => {
      requireRole(request, "admin", "service");
      const { tenantId } = request.principal;
      const policy = await loadPolicy(runtime.db, tenantId);
      const calendar = {
        name: request.body.name,
        startsAt: new Date(request.body.startsAt),
        endsAt: new Date(request.body.endsAt),
        timeZone: request.body.timeZone,
        checkInCadence: request.body.checkInCadence ?? policy.checkInCadence,
      };
      rejectIf(validateCycle(calendar));
      const row = await transaction(runtime.db, async (tx) => {
        await requireOrganization(tx, tenantId);
        await assertCycleNameFree(tx, tenantId, calendar.name);
        const created = await tx.cycle.create({
          data: {
            id: uuidv7(),
            tenantId,
            ...calendarColumns(calendar),
            phase: "SETTING",
          },
        });
        await publishPhase(tx, tenantId, created, null);
        await recordAudit(
          tx,
          request.principal,
          "cycle.created",
          { type: "cycle", id: created.id },
          request.body,
        );
        return created;
      });
      return reply.status(201).send(presentCycle(row));
    },
  );

  app.get(
    "/cycles",
    {
      schema: {
        summary: "List cycles (paginated; filter by phase)",
        querystring: Type.Object(
          { ...PageQuery, phase: Type.Optional(CyclePhase()) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(CycleSchema), nextCursor: NullableUuid() }) },
      },
    },
    async (request) => {
      const { phase } = request.query;
      return listPage(
        request.query,
        { tenantId: request.principal.tenantId, ...(phase ? { phase } : {}) },
        (window) => runtime.db.cycle.findMany(window),
        presentCycle,
      );
    },
  );

  app.get(
    "/cycles/:cycleId",
    {
      schema: {
        summary: "One cycle",
        params: CycleParams,
        response: { 200: CycleSchema, ...problems(404) },
      },
    },
    async (request) =>
      presentCycle(await findCycle(runtime.db, request.principal.tenantId, request.params.cycleId)),
  );

  app.patch(
    "/cycles/:cycleId",
    {
      schema: {
        summary: "Change a cycle's name, calendar or cadence until it is locked (admins)",
        params: CycleParams,
        body: CyclePatch,
        response: { 200: CycleSchema, ...problems(400, 403, 404, 409, 422) },
      },
    },
    async (request) => {
      requireRole(request, "admin", "service");
      const { tenantId } = request.principal;
      const row = await transaction(runtime.db, async (tx) => {
        const existing = await findUnlockedCycle(tx, tenantId, request.params.cycleId);
        const body = request.body;
        const calendar = {
          name: body.name ?? existing.name,
          startsAt: body.startsAt ? new Date(body.startsAt) : existing.startsAt,
          endsAt: body.endsAt ? new Date(body.endsAt) : existing.endsAt,
          timeZone: body.timeZone ?? existing.timeZone,
          checkInCadence: body.checkInCadence ?? {
            weekday: existing.checkInWeekday,
            hour: existing.checkInHour,
            everyDays: existing.checkInEveryDays,
          },
        };
        rejectIf(validateCycle(calendar));
        if (calendar.name !== existing.name) await assertCycleNameFree(tx, tenantId, calendar.name);
        const updated = await tx.cycle.update({
          where: { id: existing.id },
          data: calendarColumns(calendar),
        });
        await recordAudit(tx, request.principal, "cycle.updated", { type: "cycle", id: existing.id }, body);
        return updated;
      });
      return presentCycle(row);
    },
  );

  app.delete(
    "/cycles/:cycleId",
    {
      schema: {
        summary: "Remove a cycle that has no objectives yet (admins)",
        params: CycleParams,
        response: noContent(403, 404, 409),
      },
    },
    async (request, reply) => {
      requireRole(request, "admin", "service");
      const { tenantId } = request.principal;
      await transaction(runtime.db, async (tx) => {
        const existing = await findCycle(tx, tenantId, request.params.cycleId);
        if (await tx.objective.count({ where: { tenantId, cycleId: existing.id } }))
          throw conflict(
            "cycle-has-objectives",
            "the cycle has objectives; close it through its phases instead",
          );
        await tx.cycle.delete({ where: { id: existing.id } });
        await recordAudit(tx, request.principal, "cycle.deleted", { type: "cycle", id: existing.id }, {});
      });
      return reply.status(204).send(null);
    },
  );

  app.post(
    "/cycles/:cycleId/phase",
    {
      schema: {
        summary:
          "Move the cycle to a later phase (admins, the cycle worker). The current phase again is a no-op; entering SCORING locks objectives and key results.",
        params: CycleParams,
        body: Type.Object({ phase: CyclePhase() }, { additionalProperties: false }),
        response: { 200: CycleSchema, ...problems(400, 403, 404, 409) },
      },
    },
    async (request) => {
      requireRole(request, "admin", "service");
      const { tenantId } = request.principal;
      const row = await transaction(runtime.db, async (tx) => {
        const existing = await findCycle(tx, tenantId, request.params.cycleId);
        const change = changePhase(existing.phase as Phase, request.body.phase);
        if (change.kind === "unchanged") return existing;
        if (change.kind === "rejected") throw conflictOn(change.violation);
        // Conditional on the phase read above: two racing requests cannot both move it.
        const moved = await tx.cycle.updateMany({
          where: { id: existing.id, phase: existing.phase },
          data: { phase: change.to, locked: existing.locked || change.locks },
        });
        if (moved.count !== 1)
          throw conflict("cycle-phase-race", "the cycle's phase changed meanwhile; retry");
        const updated = await tx.cycle.findUniqueOrThrow({ where: { id: existing.id } });
        await publishPhase(tx, tenantId, updated, change.from);
        await recordAudit(
          tx,
          request.principal,
          "cycle.phase-changed",
          { type: "cycle", id: existing.id },
          {
            from: change.from,
            to: change.to,
          },
        );
        return updated;
      });
      return presentCycle(row);
    },
  );

  app.get(
    "/cycles/:cycleId/check-in-status",
    {
      schema: {
        summary: "Each key result of the cycle with its last check-in; missing = none at or after `since`",
        params: CycleParams,
        querystring: Type.Object({ since: Type.Optional(DateTime()) }, { additionalProperties: false }),
        response: {
          200: Type.Object({ keyResults: Type.Array(CheckInStatusSchema) }),
          ...problems(400, 404),
        },
      },
    },
    async (request) => {
      const { tenantId } = request.principal;
      await findCycle(runtime.db, tenantId, request.params.cycleId);
      const since = request.query.since ? new Date(request.query.since) : undefined;
      const rows = await checkInStatus(runtime.pool, tenantId, request.params.cycleId);
      return {
        keyResults: rows.map((row) => ({
          keyResultId: row.key_result_id,
          objectiveId: row.objective_id,
          owner: { kind: row.owner_kind, id: row.owner_id },
          teamId: row.owner_kind === "team" ? row.owner_id : row.person_team_id,
          lastCheckInAt: row.last_check_in_at?.toISOString() ?? null,
          missing: !row.last_check_in_at || (since !== undefined && row.last_check_in_at < since),
        })),
      };
    },
  );

  app.get(
    "/cycles/:cycleId/alignment-tree",
    {
      schema: {
        summary:
          "The whole cascade of the cycle in one call: roots align to the mission; each node carries its key results (with contributing objectives under each) and the objectives aligned to it",
        params: CycleParams,
        response: {
          200: Type.Object(
            {
              cycleId: Uuid(),
              cycleName: Type.String(),
              mission: Type.Union([Type.String(), Type.Null()]),
              objectiveCount: Type.Integer(),
              roots: Type.Array(Type.Object({}, { additionalProperties: true })),
            },
            { additionalProperties: true },
          ),
          ...problems(404),
        },
      },
    },
    async (request) => {
      const { tenantId } = request.principal;
      const cycle = await findCycle(runtime.db, tenantId, request.params.cycleId);
      const [organization, rows] = await Promise.all([
        runtime.db.organization.findUnique({ where: { id: tenantId }, select: { mission: true } }),
        runtime.db.objective.findMany({
          where: { tenantId, cycleId: cycle.id },
          include: keyResultsInOrder,
          orderBy: { id: "asc" },
        }),
      ]);
      const objectives = await viewObjectives(runtime.db, tenantId, rows);
      return {
        cycleId: cycle.id,
        cycleName: cycle.name,
        mission: organization?.mission ?? null,
        objectiveCount: objectives.length,
        roots: buildAlignmentTree(objectives),
      };
    },
  );
});
