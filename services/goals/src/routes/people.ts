import { uuidv7 } from "@okr/events";
import { isKnownTimeZone, type RuleViolation } from "@okr/goals-domain";
import {
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
import { type GoalsTx, transaction } from "../database.ts";
import { recordAudit } from "../repositories/audit.ts";
import { publishPeopleChanged } from "../repositories/events.ts";
import { requireOrganization } from "../repositories/organization.ts";
import { rejectIf } from "../rules.ts";
import type { GoalsRuntime } from "../service.ts";
import { Literals } from "./schemas.ts";
import { PersonSchema } from "./views.ts";

const PersonRole = Literals(["admin", "leader", "member"] as const);
const TimeZone = Type.String({
  minLength: 1,
  maxLength: 64,
  description: "IANA time zone, e.g. Europe/Berlin",
});
const contact = {
  timeZone: Type.Optional(
    Type.Union([TimeZone, Type.Null()], {
      description: "where their quiet hours and digests are reckoned; null: the organization's default",
    }),
  ),
  managerId: Type.Optional(
    Type.Union([Uuid("a person of the organization"), Type.Null()], {
      description: "who missed deadlines escalate to",
    }),
  ),
};

const PersonBody = Type.Object(
  {
    id: Type.Optional(Uuid("the person's id (the `sub` of their tokens); generated when omitted")),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    email: Type.String({ format: "email", maxLength: 320 }),
    roles: Type.Array(PersonRole, { minItems: 1, maxItems: 3, uniqueItems: true }),
    ...contact,
  },
  { additionalProperties: false },
);

const PersonPatch = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    email: Type.Optional(Type.String({ format: "email", maxLength: 320 })),
    roles: Type.Optional(Type.Array(PersonRole, { minItems: 1, maxItems: 3, uniqueItems: true })),
    ...contact,
  },
  { additionalProperties: false, minProperties: 1 },
);

type PersonRow = {
  id: string;
  name: string;
  email: string;
  roles: string[];
  active: boolean;
  timeZone: string | null;
  managerId: string | null;
  memberships: { teamId: string; role: string }[];
};
const present = (row: PersonRow) => ({
  id: row.id,
  name: row.name,
  email: row.email,
  roles: row.roles,
  active: row.active,
  timeZone: row.timeZone,
  managerId: row.managerId,
  teams: row.memberships.map((m) => ({ teamId: m.teamId, role: m.role })),
});
const withTeams = { memberships: { select: { teamId: true, role: true } } } as const;

/** The tenant's person; 404 when unknown. */
async function requirePerson(tx: GoalsTx, tenantId: string, id: string) {
  const person = await tx.person.findFirst({ where: { id, tenantId } });
  if (!person) throw notFound(`person ${id}`);
  return person;
}

/** A write's time zone and manager, checked: a zone the runtime knows, a person of the tenant but not them. */
async function checkContact(
  tx: GoalsTx,
  tenantId: string,
  personId: string,
  body: { timeZone?: string | null; managerId?: string | null },
) {
  const errors: RuleViolation[] = [];
  if (body.timeZone && !isKnownTimeZone(body.timeZone))
    errors.push({
      code: "person-time-zone",
      message: `unknown IANA time zone "${body.timeZone}"`,
      path: "/timeZone",
    });
  if (body.managerId === personId)
    errors.push({
      code: "person-manager",
      message: "a person cannot be their own manager",
      path: "/managerId",
    });
  else if (
    body.managerId &&
    !(await tx.person.findFirst({ where: { tenantId, id: body.managerId }, select: { id: true } }))
  )
    errors.push({
      code: "unknown-manager",
      message: `person ${body.managerId} is not a person of this organization`,
      path: "/managerId",
    });
  rejectIf(errors);
}

/** How many people one transaction of a republish publishes. */
const REPUBLISH_PAGE = 500;

/** People of the organization with their roles (admin, leader, member); team memberships live on teams. */
export const peopleRoutes = resource<GoalsRuntime>("people", (app, runtime) => {
  app.post(
    "/people",
    {
      config: { creates: "/people/:id" },
      schema: {
        summary: "Add a person (admins)",
        body: PersonBody,
        response: { 201: PersonSchema, ...problems(400, 403, 409, 422) },
      },
    },
    async (request, reply) => {
      requireRole(request, "admin", "service");
      const tenantId = request.principal.tenantId;
      const id = request.body.id ?? uuidv7();
      const row = await transaction(runtime.db, async (tx) => {
        await requireOrganization(tx, tenantId);
        const clash = await tx.person.findFirst({
          // Within the tenant only: another tenant's people (ids, emails) are no concern of this one.
          where: { tenantId, OR: [{ id }, { email: request.body.email }] },
          select: { id: true },
        });
        if (clash) throw conflict("person-exists", `a person with this id or email already exists`);
        await checkContact(tx, tenantId, id, request.body);
        const created = await tx.person.create({
          data: {
            id,
            tenantId,
            name: request.body.name,
            email: request.body.email,
            roles: request.body.roles,
            timeZone: request.body.timeZone ?? null,
            managerId: request.body.managerId ?? null,
          },
          include: withTeams,
        });
        await recordAudit(tx, request.principal, "person.created", { type: "person", id }, request.body);
        await publishPeopleChanged(tx, tenantId, [id]);
        return created;
      });
      return reply.status(201).send(present(row));
    },
  );

  app.get(
    "/people",
    {
      schema: {
        summary: "List people (paginated; filter by team)",
        querystring: Type.Object(
          { ...PageQuery, teamId: Type.Optional(Uuid()) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            items: Type.Array(PersonSchema),
            nextCursor: Type.Union([Uuid(), Type.Null()]),
          }),
        },
      },
    },
    async (request) => {
      const { teamId } = request.query;
      return listPage(
        request.query,
        { tenantId: request.principal.tenantId, ...(teamId ? { memberships: { some: { teamId } } } : {}) },
        (window) => runtime.db.person.findMany({ ...window, include: withTeams }),
        present,
      );
    },
  );

  app.post(
    "/organization/republish-people",
    {
      schema: {
        summary: "Publish every person's current state (okr.person.changed.v1) again (admins)",
        description:
          "For a consumer that joins after people were written (a new notifier, or one whose replica was lost): each person's whole state goes out once more, in pages of 500, each page in its own transaction through the outbox. Consumers keep the newest state, so a repeat is harmless.",
        response: { 200: Type.Object({ published: Type.Integer() }), ...problems(403) },
      },
    },
    async (request) => {
      requireRole(request, "admin", "service");
      const { tenantId } = request.principal;
      let published = 0;
      let cursor: string | undefined;
      for (;;) {
        const page = await runtime.db.person.findMany({
          where: { tenantId, ...(cursor ? { id: { gt: cursor } } : {}) },
          select: { id: true },
          orderBy: { id: "asc" },
          take: REPUBLISH_PAGE,
        });
        if (page.length === 0) break;
        const ids = page.map((person) => person.id);
        await transaction(runtime.db, (tx) => publishPeopleChanged(tx, tenantId, ids));
        published += ids.length;
        cursor = ids.at(-1);
      }
      await transaction(runtime.db, (tx) =>
        recordAudit(
          tx,
          request.principal,
          "people.republished",
          { type: "organization", id: tenantId },
          { published },
        ),
      );
      return { published };
    },
  );

  app.get(
    "/people/:id",
    {
      schema: {
        summary: "One person",
        params: IdParams,
        response: { 200: PersonSchema, ...problems(404) },
      },
    },
    async (request) => {
      const row = await runtime.db.person.findFirst({
        where: { id: request.params.id, tenantId: request.principal.tenantId },
        include: withTeams,
      });
      if (!row) throw notFound(`person ${request.params.id}`);
      return present(row);
    },
  );

  app.patch(
    "/people/:id",
    {
      schema: {
        summary: "Change a person's name, email, roles, time zone or manager (admins)",
        params: IdParams,
        body: PersonPatch,
        response: { 200: PersonSchema, ...problems(400, 403, 404, 409, 422) },
      },
    },
    async (request) => {
      requireRole(request, "admin", "service");
      const { tenantId } = request.principal;
      const row = await transaction(runtime.db, async (tx) => {
        const existing = await requirePerson(tx, tenantId, request.params.id);
        if (request.body.email && request.body.email !== existing.email) {
          const clash = await tx.person.findFirst({ where: { tenantId, email: request.body.email } });
          if (clash) throw conflict("person-exists", "another person has this email");
        }
        await checkContact(tx, tenantId, existing.id, request.body);
        const updated = await tx.person.update({
          where: { tenantId_id: { tenantId, id: existing.id } },
          data: request.body,
          include: withTeams,
        });
        await recordAudit(
          tx,
          request.principal,
          "person.updated",
          { type: "person", id: existing.id },
          request.body,
        );
        await publishPeopleChanged(tx, tenantId, [existing.id]);
        return updated;
      });
      return present(row);
    },
  );

  app.delete(
    "/people/:id",
    {
      schema: {
        summary: "Remove a person who owns no objectives (admins)",
        params: IdParams,
        response: noContent(403, 404, 409),
      },
    },
    async (request, reply) => {
      requireRole(request, "admin", "service");
      const { tenantId } = request.principal;
      await transaction(runtime.db, async (tx) => {
        const existing = await requirePerson(tx, tenantId, request.params.id);
        const owned = await tx.objective.count({
          where: { tenantId, ownerKind: "person", ownerId: existing.id },
        });
        if (owned > 0)
          throw conflict(
            "person-owns-objectives",
            `the person owns ${owned} objectives; hand them over first`,
          );
        // Their last state goes out first; their reports' manager becomes null with the delete.
        const reports = await tx.person.findMany({
          where: { tenantId, managerId: existing.id },
          select: { id: true },
        });
        await publishPeopleChanged(tx, tenantId, [existing.id], { removed: true });
        await tx.person.delete({ where: { tenantId_id: { tenantId, id: existing.id } } });
        await publishPeopleChanged(
          tx,
          tenantId,
          reports.map((r) => r.id),
        );
        await recordAudit(tx, request.principal, "person.deleted", { type: "person", id: existing.id }, {});
      });
      return reply.status(204).send(null);
    },
  );
});
