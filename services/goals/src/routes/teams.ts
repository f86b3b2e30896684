import { prismaRunner } from "@okr/database";
import { type EventData, TeamChanged, uuidv7 } from "@okr/events";
import { checkParent } from "@okr/goals-domain";
import { publishEvent } from "@okr/messaging";
import {
  badRequest,
  conflict,
  IdParams,
  listPage,
  noContent,
  notFound,
  PageQuery,
  problems,
  requireRole,
  resource,
  Uuid,
} from "@okr/service-kit";
import { Type } from "typebox";
import { type GoalsDb, type GoalsTx, transaction } from "../database.ts";
import { recordAudit } from "../repositories/audit.ts";
import { publishPeopleChanged } from "../repositories/events.ts";
import { requireOrganization } from "../repositories/organization.ts";
import { rejectIf } from "../rules.ts";
import type { GoalsRuntime } from "../service.ts";
import { NullableUuid } from "./schemas.ts";
import { TeamSchema } from "./views.ts";

const PersonIds = (description: string) =>
  Type.Array(Uuid(), { maxItems: 500, uniqueItems: true, description });

const TeamBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    parentTeamId: Type.Optional(NullableUuid("the team above; null or omitted for a top-level team")),
    leaderIds: Type.Optional(PersonIds("people who lead the team (approve its objectives)")),
    memberIds: Type.Optional(PersonIds("people in the team who do not lead it")),
  },
  { additionalProperties: false },
);

const TeamPatch = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    parentTeamId: Type.Optional(NullableUuid()),
    leaderIds: Type.Optional(PersonIds("replaces the leaders")),
    memberIds: Type.Optional(PersonIds("replaces the (non-leading) members")),
  },
  { additionalProperties: false, minProperties: 1 },
);

type TeamRow = {
  id: string;
  name: string;
  parentTeamId: string | null;
  memberships: { personId: string; role: string }[];
};
export const present = (row: TeamRow) => ({
  id: row.id,
  name: row.name,
  parentTeamId: row.parentTeamId,
  leaderIds: row.memberships.filter((m) => m.role === "leader").map((m) => m.personId),
  memberIds: row.memberships.filter((m) => m.role !== "leader").map((m) => m.personId),
});
export const withMembers = {
  memberships: { select: { personId: true, role: true }, orderBy: { personId: "asc" } },
} as const;

/** The tenant's team with its members; 404 when unknown. */
async function requireTeam(db: GoalsDb | GoalsTx, tenantId: string, id: string) {
  const team = await db.team.findFirst({ where: { id, tenantId }, include: withMembers });
  if (!team) throw notFound(`team ${id}`);
  return team;
}

async function teamParents(tx: GoalsTx, tenantId: string) {
  const teams = await tx.team.findMany({ where: { tenantId }, select: { id: true, parentTeamId: true } });
  return new Map(teams.map((t) => [t.id, t.parentTeamId] as const));
}

/**
 * Validates the people named and replaces the team's memberships with them; publishes the people whose
 * teams changed (those who left and those who joined or changed role).
 */
async function setMembers(
  tx: GoalsTx,
  tenantId: string,
  teamId: string,
  leaderIds: string[],
  memberIds: string[],
) {
  const overlap = leaderIds.filter((id) => memberIds.includes(id));
  if (overlap.length)
    throw badRequest(`people are either leaders or members of a team, not both: ${overlap.join(", ")}`);
  const wanted = [...leaderIds, ...memberIds];
  const found = await tx.person.findMany({ where: { tenantId, id: { in: wanted } }, select: { id: true } });
  const known = new Set(found.map((p) => p.id));
  const unknown = wanted.filter((id) => !known.has(id));
  if (unknown.length) throw notFound(`person ${unknown.join(", ")}`);
  const before = await tx.teamMembership.findMany({
    where: { teamId },
    select: { personId: true, role: true },
  });
  await tx.teamMembership.deleteMany({ where: { teamId } });
  // In person id order: the people rows the memberships reference are locked (key share) in one order.
  await tx.teamMembership.createMany({
    data: [
      ...leaderIds.map((personId) => ({ teamId, personId, tenantId, role: "leader" })),
      ...memberIds.map((personId) => ({ teamId, personId, tenantId, role: "member" })),
    ].sort((a, b) => (a.personId < b.personId ? -1 : a.personId > b.personId ? 1 : 0)),
  });
  const roleOf = (id: string) =>
    leaderIds.includes(id) ? "leader" : memberIds.includes(id) ? "member" : null;
  const changed = [
    ...before.filter((m) => roleOf(m.personId) !== m.role).map((m) => m.personId),
    ...wanted.filter((id) => !before.some((m) => m.personId === id)),
  ];
  await publishPeopleChanged(tx, tenantId, changed);
}

export async function publishTeam(
  tx: GoalsTx,
  tenantId: string,
  team: ReturnType<typeof present>,
  removed = false,
) {
  const data: EventData<typeof TeamChanged> = {
    teamId: team.id,
    name: team.name,
    parentTeamId: team.parentTeamId,
    leaderIds: team.leaderIds,
    removed,
  };
  await publishEvent(prismaRunner(tx), TeamChanged, data, { tenant: tenantId });
}

/** The team tree (any depth) and who leads and belongs to each team. Admins manage structure. */
export const teamRoutes = resource<GoalsRuntime>("teams", (app, runtime) => {
  app.post(
    "/teams",
    {
      config: { creates: "/teams/:id" },
      schema: {
        summary: "Add a team to the tree (admins)",
        body: TeamBody,
        response: { 201: TeamSchema, ...problems(400, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      requireRole(request, "admin", "service");
      const { tenantId } = request.principal;
      const { name, parentTeamId = null, leaderIds = [], memberIds = [] } = request.body;
      const team = await transaction(runtime.db, async (tx) => {
        await requireOrganization(tx, tenantId);
        if (
          parentTeamId &&
          !(await tx.team.findFirst({ where: { id: parentTeamId, tenantId }, select: { id: true } }))
        )
          throw notFound(`team ${parentTeamId}`);
        const id = uuidv7();
        await tx.team.create({ data: { id, tenantId, name, parentTeamId } });
        await setMembers(tx, tenantId, id, leaderIds, memberIds);
        const saved = present(await tx.team.findUniqueOrThrow({ where: { id }, include: withMembers }));
        await publishTeam(tx, tenantId, saved);
        await recordAudit(tx, request.principal, "team.created", { type: "team", id }, request.body);
        return saved;
      });
      return reply.status(201).send(team);
    },
  );

  app.get(
    "/teams",
    {
      schema: {
        summary: "List teams (paginated; filter by parent)",
        querystring: Type.Object(
          { ...PageQuery, parentTeamId: Type.Optional(Uuid()) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(TeamSchema), nextCursor: NullableUuid() }) },
      },
    },
    async (request) => {
      const { parentTeamId } = request.query;
      return listPage(
        request.query,
        { tenantId: request.principal.tenantId, ...(parentTeamId ? { parentTeamId } : {}) },
        (window) => runtime.db.team.findMany({ ...window, include: withMembers }),
        present,
      );
    },
  );

  app.get(
    "/teams/:id",
    {
      schema: {
        summary: "One team",
        params: IdParams,
        response: { 200: TeamSchema, ...problems(404) },
      },
    },
    async (request) => {
      return present(await requireTeam(runtime.db, request.principal.tenantId, request.params.id));
    },
  );

  app.patch(
    "/teams/:id",
    {
      schema: {
        summary: "Rename, move in the tree, or replace leaders/members (admins)",
        params: IdParams,
        body: TeamPatch,
        response: { 200: TeamSchema, ...problems(400, 403, 404, 422) },
      },
    },
    async (request) => {
      requireRole(request, "admin", "service");
      const { tenantId } = request.principal;
      const id = request.params.id;
      return transaction(runtime.db, async (tx) => {
        const existing = await requireTeam(tx, tenantId, id);
        const { name, parentTeamId, leaderIds, memberIds } = request.body;
        if (parentTeamId !== undefined && parentTeamId !== existing.parentTeamId) {
          const parents = await teamParents(tx, tenantId);
          if (parentTeamId && !parents.has(parentTeamId)) throw notFound(`team ${parentTeamId}`);
          const loop = checkParent(id, parentTeamId, parents);
          if (loop) rejectIf([loop]);
        }
        await tx.team.update({
          where: { id },
          data: { ...(name ? { name } : {}), ...(parentTeamId !== undefined ? { parentTeamId } : {}) },
        });
        if (leaderIds || memberIds) {
          const current = present(existing);
          await setMembers(tx, tenantId, id, leaderIds ?? current.leaderIds, memberIds ?? current.memberIds);
        }
        const saved = present(await tx.team.findUniqueOrThrow({ where: { id }, include: withMembers }));
        await publishTeam(tx, tenantId, saved);
        await recordAudit(tx, request.principal, "team.updated", { type: "team", id }, request.body);
        return saved;
      });
    },
  );

  app.delete(
    "/teams/:id",
    {
      schema: {
        summary: "Remove a team without sub-teams or objectives (admins)",
        params: IdParams,
        response: noContent(403, 404, 409),
      },
    },
    async (request, reply) => {
      requireRole(request, "admin", "service");
      const { tenantId } = request.principal;
      const id = request.params.id;
      await transaction(runtime.db, async (tx) => {
        const existing = await requireTeam(tx, tenantId, id);
        if (await tx.team.count({ where: { tenantId, parentTeamId: id } }))
          throw conflict("team-has-sub-teams", "move or remove the sub-teams first");
        if (await tx.objective.count({ where: { tenantId, ownerKind: "team", ownerId: id } }))
          throw conflict("team-owns-objectives", "the team owns objectives; hand them over first");
        await tx.team.delete({ where: { id } });
        await publishTeam(tx, tenantId, present(existing), true);
        await publishPeopleChanged(
          tx,
          tenantId,
          existing.memberships.map((m) => m.personId),
        );
        await recordAudit(tx, request.principal, "team.deleted", { type: "team", id }, {});
      });
      return reply.status(204).send(null);
    },
  );
});
