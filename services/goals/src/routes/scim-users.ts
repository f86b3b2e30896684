import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { isUuid, uuidv7 } from "@okr/events";
import { isKnownTimeZone } from "@okr/goals-domain";
import type { Principal } from "@okr/service-kit";
import { type Static, Type } from "typebox";
import { type GoalsDb, type GoalsTx, transaction } from "../database.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import { recordAudit } from "../repositories/audit.ts";
import { publishPeopleChanged } from "../repositories/events.ts";
import { requireOrganization } from "../repositories/organization.ts";
import { findClash, findPeople, findPerson, personSelect, type ScimPersonRow } from "../repositories/scim.ts";
import { invalidValue, scimNotFound, uniqueness } from "../scim/errors.ts";
import { filterTerms } from "../scim/filter.ts";
import {
  booleanOf,
  ENTERPRISE_USER_SCHEMA,
  emailOf,
  managerIdOf,
  type UserChanges,
  userChanges,
} from "../scim/patch.ts";
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

export const USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User";

const UserBody = Type.Object(
  {
    schemas: Type.Optional(Type.Array(Type.String())),
    userName: Type.String({ minLength: 1, maxLength: 320 }),
    externalId: Type.Optional(Type.String({ maxLength: 200 })),
    displayName: Type.Optional(Type.String({ maxLength: 200 })),
    name: Type.Optional(
      Type.Object(
        {
          formatted: Type.Optional(Type.String({ maxLength: 200 })),
          givenName: Type.Optional(Type.String({ maxLength: 200 })),
          familyName: Type.Optional(Type.String({ maxLength: 200 })),
        },
        { additionalProperties: true },
      ),
    ),
    emails: Type.Optional(
      Type.Array(
        Type.Object(
          {
            value: Type.String({ maxLength: 320 }),
            type: Type.Optional(Type.String()),
            primary: Type.Optional(Type.Union([Type.Boolean(), Type.String()])),
          },
          { additionalProperties: true },
        ),
        { maxItems: 20 },
      ),
    ),
    active: Type.Optional(
      Type.Union([Type.Boolean(), Type.String({ description: '"True"/"False" as Entra ID sends' })]),
    ),
    timezone: Type.Optional(Type.String({ maxLength: 64, description: "IANA; an unknown zone is not kept" })),
  },
  {
    additionalProperties: true,
    description:
      "a SCIM User; attributes goals does not keep are ignored. The enterprise extension's manager is kept when it names a user of the organization.",
  },
);

const ScimUser = Type.Object(
  {
    schemas: Type.Array(Type.String()),
    id: Type.String(),
    externalId: Type.Optional(Type.String()),
    userName: Type.String(),
    displayName: Type.String(),
    name: Type.Object({
      formatted: Type.String(),
      givenName: Type.Optional(Type.String()),
      familyName: Type.Optional(Type.String()),
    }),
    emails: Type.Array(Type.Object({ value: Type.String(), type: Type.String(), primary: Type.Boolean() })),
    active: Type.Boolean(),
    timezone: Type.Optional(Type.String()),
    [ENTERPRISE_USER_SCHEMA]: Type.Optional(Type.Object({ manager: Type.Object({ value: Type.String() }) })),
    meta: Meta,
  },
  { additionalProperties: false },
);
const userResponse = scimResponse(ScimUser, "The person, as a SCIM User");
/** What replacing (PUT) or patching a User answers. */
const changedUserResponse = { 200: userResponse, ...scimErrors(400, 404, 409, 413, 415) };

export const presentUser = (row: ScimPersonRow) => ({
  schemas: row.managerId ? [USER_SCHEMA, ENTERPRISE_USER_SCHEMA] : [USER_SCHEMA],
  id: row.id,
  ...(row.externalId ? { externalId: row.externalId } : {}),
  userName: row.userName ?? row.email,
  displayName: row.name,
  name: {
    formatted: row.name,
    ...(row.givenName ? { givenName: row.givenName } : {}),
    ...(row.familyName ? { familyName: row.familyName } : {}),
  },
  emails: [{ value: row.email, type: "work", primary: true }],
  active: row.active,
  ...(row.timeZone ? { timezone: row.timeZone } : {}),
  ...(row.managerId ? { [ENTERPRISE_USER_SCHEMA]: { manager: { value: row.managerId } } } : {}),
  meta: metaOf("User", row),
});

const EMAIL = /^[^\s@]+@[^\s@]+$/;

type UserInput = Static<typeof UserBody>;

/** A whole SCIM User (POST, PUT) as the person's columns. */
function personFields(body: UserInput) {
  const email = (body.emails ? emailOf(body.emails) : undefined) ?? body.userName;
  if (!EMAIL.test(email))
    throw invalidValue("a person needs an email: send emails (work or primary), or a userName that is one");
  const givenName = body.name?.givenName?.trim() || null;
  const familyName = body.name?.familyName?.trim() || null;
  const name =
    body.displayName?.trim() ||
    body.name?.formatted?.trim() ||
    [givenName, familyName].filter(Boolean).join(" ") ||
    body.userName;
  return {
    userName: body.userName.trim(),
    email,
    name,
    givenName,
    familyName,
    externalId: body.externalId ?? null,
    active: body.active === undefined ? true : booleanOf(body.active, "active"),
    timeZone: body.timezone?.trim() || null,
    managerId: managerIdOf(
      (body as Record<string, { manager?: unknown } | undefined>)[ENTERPRISE_USER_SCHEMA]?.manager,
    ),
  };
}

/**
 * The time zone and manager as goals keeps them: a zone it knows, a manager who is a person of the
 * tenant and not themself; anything else is not kept (refusing it would stop the provider provisioning
 * the person at all, e.g. for a manager outside the app's assignment).
 */
async function knownContact(
  tx: GoalsTx,
  tenantId: string,
  personId: string,
  fields: { timeZone?: string | null; managerId?: string | null },
) {
  const { timeZone, managerId } = fields;
  const managerKnown =
    managerId && managerId !== personId && isUuid(managerId)
      ? await tx.person.findFirst({ where: { tenantId, id: managerId }, select: { id: true } })
      : null;
  return {
    ...(timeZone !== undefined ? { timeZone: timeZone && isKnownTimeZone(timeZone) ? timeZone : null } : {}),
    ...(managerId !== undefined ? { managerId: managerKnown ? managerKnown.id : null } : {}),
  };
}

/** A PatchOp's changes as the person's columns (the display name follows the name parts when not given). */
function patchedFields(row: ScimPersonRow, changes: UserChanges) {
  if (changes.email !== undefined && !EMAIL.test(changes.email))
    throw invalidValue("emails.value must be an email");
  const givenName = changes.givenName !== undefined ? changes.givenName : row.givenName;
  const familyName = changes.familyName !== undefined ? changes.familyName : row.familyName;
  return {
    ...(changes.active !== undefined ? { active: changes.active } : {}),
    ...(changes.userName !== undefined ? { userName: changes.userName } : {}),
    ...(changes.email !== undefined ? { email: changes.email } : {}),
    ...(changes.externalId !== undefined ? { externalId: changes.externalId } : {}),
    ...(changes.timeZone !== undefined ? { timeZone: changes.timeZone } : {}),
    ...(changes.managerId !== undefined ? { managerId: changes.managerId } : {}),
    ...(changes.givenName !== undefined ? { givenName } : {}),
    ...(changes.familyName !== undefined ? { familyName } : {}),
    ...(changes.displayName !== undefined
      ? { name: changes.displayName }
      : changes.formatted !== undefined
        ? { name: changes.formatted }
        : {}),
  };
}

async function requirePerson(tx: GoalsDb | GoalsTx, tenantId: string, id: string) {
  const person = await findPerson(tx, tenantId, id);
  if (!person) throw scimNotFound(`User ${id}`);
  return person;
}

/** Changes a person's columns and records it in the audit log. */
async function updatePerson(
  tx: GoalsTx,
  principal: Principal,
  id: string,
  data: Prisma.PersonUpdateInput,
  action = "person.updated",
) {
  const updated = await tx.person.update({
    where: { tenantId_id: { tenantId: principal.tenantId, id } },
    data,
    select: personSelect,
  });
  await recordAudit(tx, principal, action, { type: "person", id }, data);
  await publishPeopleChanged(tx, principal.tenantId, [id]);
  return updated;
}

/**
 * Writes `data` over the person unless it would give them a userName or email another person has
 * (409 uniqueness with `clashDetail`); nothing to write leaves them as they are.
 */
async function changePerson(
  tx: GoalsTx,
  principal: Principal,
  existing: ScimPersonRow,
  data: Prisma.PersonUpdateInput & { userName?: string; email?: string },
  clashDetail: string,
) {
  if (data.userName !== undefined || data.email !== undefined) {
    const clash = await findClash(
      tx,
      principal.tenantId,
      data.userName ?? existing.userName ?? existing.email,
      data.email ?? existing.email,
      existing.id,
    );
    if (clash) throw uniqueness(clashDetail);
  }
  if (Object.keys(data).length === 0) return existing;
  return updatePerson(tx, principal, existing.id, data);
}

/** SCIM Users (RFC 7643 §4.1) as goals people, for the tenant of the provisioning token. */
export function scimUserRoutes(runtime: GoalsRuntime): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      `${SCIM_PREFIX}/Users`,
      createRoute("Provision a person (SCIM create User); they join as a member", UserBody, userResponse),
      async (request, reply) => {
        const { tenantId } = request.principal;
        const fields = personFields(request.body);
        const row = await transaction(runtime.db, async (tx) => {
          await requireOrganization(tx, tenantId);
          if (await findClash(tx, tenantId, fields.userName, fields.email))
            throw uniqueness(`a person with userName ${fields.userName} or this email already exists`);
          const id = uuidv7();
          const created = await tx.person.create({
            data: {
              id,
              tenantId,
              roles: ["member"],
              ...fields,
              ...(await knownContact(tx, tenantId, id, fields)),
            },
            select: personSelect,
          });
          await recordAudit(tx, request.principal, "person.created", { type: "person", id }, fields);
          await publishPeopleChanged(tx, tenantId, [id]);
          return created;
        });
        return sendCreated(reply, presentUser(row));
      },
    );

    app.get(
      `${SCIM_PREFIX}/Users`,
      listRoute('List or look up people (SCIM; filter such as userName eq "jo@example.com")', ScimUser),
      async (request, reply) => {
        const { startIndex, filter } = request.query;
        const page = await findPeople(
          runtime.db,
          request.principal.tenantId,
          filterTerms(filter),
          request.query,
        );
        return sendList(reply, startIndex, page, presentUser);
      },
    );

    app.get(
      `${SCIM_PREFIX}/Users/:id`,
      readRoute("One person (SCIM)", userResponse),
      async (request, reply) =>
        sendScim(
          reply,
          200,
          presentUser(await requirePerson(runtime.db, request.principal.tenantId, request.params.id)),
        ),
    );

    app.put(
      `${SCIM_PREFIX}/Users/:id`,
      resourceRoute({
        summary: "Replace a person's attributes (SCIM)",
        params: IdParam,
        body: UserBody,
        response: changedUserResponse,
      }),
      async (request, reply) => {
        const { tenantId } = request.principal;
        const fields = personFields(request.body);
        const row = await transaction(runtime.db, async (tx) => {
          const existing = await requirePerson(tx, tenantId, request.params.id);
          const clash = `another person has userName ${fields.userName} or this email`;
          const contact = await knownContact(tx, tenantId, existing.id, fields);
          return changePerson(tx, request.principal, existing, { ...fields, ...contact }, clash);
        });
        return sendScim(reply, 200, presentUser(row));
      },
    );

    app.patch(
      `${SCIM_PREFIX}/Users/:id`,
      resourceRoute({
        summary: "Change a person's attributes or active state (SCIM PatchOp, as Entra ID and Okta send it)",
        params: IdParam,
        body: PatchBody,
        response: changedUserResponse,
      }),
      async (request, reply) => {
        const { tenantId } = request.principal;
        const changes = userChanges(request.body.Operations);
        const row = await transaction(runtime.db, async (tx) => {
          const existing = await requirePerson(tx, tenantId, request.params.id);
          const data = {
            ...patchedFields(existing, changes),
            ...(await knownContact(tx, tenantId, existing.id, changes)),
          };
          return changePerson(
            tx,
            request.principal,
            existing,
            data,
            "another person has this userName or email",
          );
        });
        return sendScim(reply, 200, presentUser(row));
      },
    );

    app.delete(
      `${SCIM_PREFIX}/Users/:id`,
      resourceRoute({
        summary:
          "Deprovision a person (SCIM delete): they are deactivated, not erased, so their OKRs and check-ins keep their author",
        params: IdParam,
        response: { 204: Type.Null(), ...scimErrors(400, 404) },
      }),
      async (request, reply) => {
        const { tenantId } = request.principal;
        await transaction(runtime.db, async (tx) => {
          const existing = await requirePerson(tx, tenantId, request.params.id);
          await updatePerson(tx, request.principal, existing.id, { active: false }, "person.deactivated");
        });
        return reply.status(204).send(null);
      },
    );
  };
}
