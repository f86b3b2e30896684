import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { uuidv7 } from "@okr/events";
import type { Principal } from "@okr/service-kit";
import { Type } from "typebox";
import { type GoalsDb, type GoalsTx, transaction } from "../database.ts";
import { recordAudit } from "../repositories/audit.ts";
import { publishPeopleChanged } from "../repositories/events.ts";
import { requireOrganization } from "../repositories/organization.ts";
import { findTeam, findTeams, knownPeople, type ScimTeamRow } from "../repositories/scim.ts";
import { invalidValue, ScimError, scimNotFound } from "../scim/errors.ts";
import { filterTerms } from "../scim/filter.ts";
import { groupChanges } from "../scim/patch.ts";
import { IdParam, PatchBody, SCIM_PREFIX, scimErrors, scimResponse, sendScim } from "../scim/protocol.ts";
import {
  createRoute,
  listRoute,
  Meta,
  metaOf,
  readRoute,
  resourceRoute,
  sendCreated,
  sendList,
} from "../scim/resource.ts";
import type { GoalsRuntime } from "../service.ts";
import { present as presentTeam, publishTeam, withMembers } from "./teams.ts";

export const GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group";

const Member = Type.Object(
  { value: Type.String({ maxLength: 200, description: "the User's id" }) },
  { additionalProperties: true },
);

const GroupBody = Type.Object(
  {
    schemas: Type.Optional(Type.Array(Type.String())),
    displayName: Type.String({ minLength: 1, maxLength: 200 }),
    externalId: Type.Optional(Type.String({ maxLength: 200 })),
    members: Type.Optional(Type.Array(Member, { maxItems: 500 })),
  },
  { additionalProperties: true, description: "a SCIM Group: becomes a top-level team" },
);

const ScimGroup = Type.Object(
  {
    schemas: Type.Array(Type.String()),
    id: Type.String(),
    externalId: Type.Optional(Type.String()),
    displayName: Type.String(),
    members: Type.Optional(
      // Without `$ref` (optional in SCIM): a property of that name reads as a JSON reference to
      // OpenAPI tooling.
      Type.Array(Type.Object({ value: Type.String(), display: Type.String() })),
    ),
    meta: Meta,
  },
  { additionalProperties: false },
);
const groupResponse = scimResponse(ScimGroup, "The team, as a SCIM Group");

const excludesMembers = (excluded: string | undefined) =>
  excluded?.split(",").some((attribute) => attribute.trim().toLowerCase() === "members") ?? false;

const presentGroup = (row: ScimTeamRow, withMemberList = true) => ({
  schemas: [GROUP_SCHEMA],
  id: row.id,
  ...(row.externalId ? { externalId: row.externalId } : {}),
  displayName: row.name,
  ...(withMemberList
    ? {
        members: row.memberships.map((m) => ({
          value: m.personId,
          display: m.person.name,
        })),
      }
    : {}),
  meta: metaOf("Group", row),
});

/** Members named by a group must be people of the tenant (a SCIM id goals never gave out is refused). */
async function requirePeople(tx: GoalsTx, tenantId: string, ids: string[]) {
  const known = await knownPeople(tx, tenantId, ids);
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length) throw invalidValue(`no User ${unknown.join(", ")} in this tenant`);
}

/** Announces the team's new state (TeamChanged, through the outbox) like the team API does, and audits it. */
async function announce(
  tx: GoalsTx,
  principal: Principal,
  id: string,
  action: string,
  changes: Record<string, unknown>,
) {
  const team = presentTeam(await tx.team.findUniqueOrThrow({ where: { id }, include: withMembers }));
  await publishTeam(tx, principal.tenantId, team);
  await recordAudit(tx, principal, action, { type: "team", id }, changes);
}

const addMembers = (tx: GoalsTx, tenantId: string, teamId: string, personIds: string[]) =>
  tx.teamMembership.createMany({
    data: personIds.map((personId) => ({ teamId, personId, tenantId, role: "member" })),
  });

async function requireTeam(tx: GoalsDb | GoalsTx, tenantId: string, id: string) {
  const team = await findTeam(tx, tenantId, id);
  if (!team) throw scimNotFound(`Group ${id}`);
  return team;
}

/**
 * SCIM Groups (RFC 7643 §4.2) as goals teams: a group is a team, its members the team's members.
 * Leaders stay goals' own data: a provisioned member keeps the leader role goals gave them.
 */
export function scimGroupRoutes(runtime: GoalsRuntime): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      `${SCIM_PREFIX}/Groups`,
      createRoute("Provision a team (SCIM create Group) with its members", GroupBody, groupResponse),
      async (request, reply) => {
        const { tenantId } = request.principal;
        const { displayName, externalId = null } = request.body;
        const memberIds = [...new Set((request.body.members ?? []).map((m) => m.value))].sort();
        const row = await transaction(runtime.db, async (tx) => {
          await requireOrganization(tx, tenantId);
          await requirePeople(tx, tenantId, memberIds);
          const id = uuidv7();
          await tx.team.create({
            data: { id, tenantId, name: displayName.trim(), externalId, parentTeamId: null },
          });
          await addMembers(tx, tenantId, id, memberIds);
          await announce(tx, request.principal, id, "team.created", { displayName, externalId, memberIds });
          await publishPeopleChanged(tx, tenantId, memberIds);
          return findTeam(tx, tenantId, id);
        });
        if (!row) throw new ScimError(500, "the team vanished while it was created");
        return sendCreated(reply, presentGroup(row));
      },
    );

    app.get(
      `${SCIM_PREFIX}/Groups`,
      listRoute('List or look up teams (SCIM; filter such as displayName eq "Platform")', ScimGroup),
      async (request, reply) => {
        const { startIndex, filter, excludedAttributes } = request.query;
        const page = await findTeams(
          runtime.db,
          request.principal.tenantId,
          filterTerms(filter),
          request.query,
        );
        const withMemberList = !excludesMembers(excludedAttributes);
        return sendList(reply, startIndex, page, (row) => presentGroup(row, withMemberList));
      },
    );

    app.get(
      `${SCIM_PREFIX}/Groups/:id`,
      readRoute("One team (SCIM)", groupResponse),
      async (request, reply) => {
        const row = await requireTeam(runtime.db, request.principal.tenantId, request.params.id);
        return sendScim(reply, 200, presentGroup(row, !excludesMembers(request.query.excludedAttributes)));
      },
    );

    app.patch(
      `${SCIM_PREFIX}/Groups/:id`,
      resourceRoute({
        summary: "Rename a team or add and remove its members (SCIM PatchOp)",
        params: IdParam,
        body: PatchBody,
        response: { 204: Type.Null(), ...scimErrors(400, 404, 413, 415) },
      }),
      async (request, reply) => {
        const { tenantId } = request.principal;
        const changes = groupChanges(request.body.Operations);
        await transaction(runtime.db, async (tx) => {
          const existing = await requireTeam(tx, tenantId, request.params.id);
          const id = existing.id;
          const current = new Set(existing.memberships.map((m) => m.personId));
          const wanted = new Set(changes.replace ?? current);
          for (const personId of changes.add) wanted.add(personId);
          for (const personId of changes.remove) wanted.delete(personId);
          const added = [...wanted].filter((personId) => !current.has(personId)).sort();
          const removed = [...current].filter((personId) => !wanted.has(personId)).sort();
          await requirePeople(tx, tenantId, added);
          const renamed = changes.displayName !== undefined && changes.displayName !== existing.name;
          const relabelled = changes.externalId !== undefined && changes.externalId !== existing.externalId;
          if (!renamed && !relabelled && added.length === 0 && removed.length === 0) return;
          if (renamed || relabelled)
            await tx.team.update({
              where: { id },
              data: {
                ...(renamed ? { name: changes.displayName } : {}),
                ...(relabelled ? { externalId: changes.externalId } : {}),
              },
            });
          if (removed.length)
            await tx.teamMembership.deleteMany({ where: { teamId: id, personId: { in: removed } } });
          if (added.length) await addMembers(tx, tenantId, id, added);
          await announce(tx, request.principal, id, "team.updated", {
            ...(renamed ? { displayName: changes.displayName } : {}),
            ...(relabelled ? { externalId: changes.externalId } : {}),
            ...(added.length ? { addedMemberIds: added } : {}),
            ...(removed.length ? { removedMemberIds: removed } : {}),
          });
          await publishPeopleChanged(tx, tenantId, [...added, ...removed]);
        });
        return reply.status(204).send(null);
      },
    );

    app.delete(
      `${SCIM_PREFIX}/Groups/:id`,
      resourceRoute({
        summary:
          "Remove a team (SCIM delete Group); refused (409) while it has sub-teams or owns objectives, which goals keeps",
        params: IdParam,
        response: { 204: Type.Null(), ...scimErrors(400, 404, 409) },
      }),
      async (request, reply) => {
        const { tenantId } = request.principal;
        await transaction(runtime.db, async (tx) => {
          const { id } = await requireTeam(tx, tenantId, request.params.id);
          if (await tx.team.count({ where: { tenantId, parentTeamId: id } }))
            throw new ScimError(409, "the team has sub-teams in goals; move or remove them there first");
          if (await tx.objective.count({ where: { tenantId, ownerKind: "team", ownerId: id } }))
            throw new ScimError(409, "the team owns objectives in goals; hand them over there first");
          const before = presentTeam(
            await tx.team.findUniqueOrThrow({ where: { id }, include: withMembers }),
          );
          await tx.team.delete({ where: { id } });
          await publishTeam(tx, tenantId, before, true);
          await publishPeopleChanged(tx, tenantId, [...before.leaderIds, ...before.memberIds]);
          await recordAudit(tx, request.principal, "team.deleted", { type: "team", id }, {});
        });
        return reply.status(204).send(null);
      },
    );
  };
}
