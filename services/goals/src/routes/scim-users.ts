import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { uuidv7 } from "@okr/events";
import { type Static, Type } from "typebox";
import { transaction } from "../database.ts";
import { recordAudit } from "../repositories/audit.ts";
import { requireOrganization } from "../repositories/organization.ts";
import { findClash, findPeople, findPerson, personSelect, type ScimPersonRow } from "../repositories/scim.ts";
import { invalidValue, scimNotFound, uniqueness } from "../scim/errors.ts";
import { filterTerms } from "../scim/filter.ts";
import { booleanOf, emailOf, type UserChanges, userChanges } from "../scim/patch.ts";
import {
  IdParam,
  LIST_SCHEMA,
  ListQuery,
  ListResponse,
  locationOf,
  PatchBody,
  SCIM_PREFIX,
  scimErrors,
  scimResponse,
  scimRoute,
  scimSchema,
  sendScim,
} from "../scim/protocol.ts";
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
  },
  { additionalProperties: true, description: "a SCIM User; attributes goals does not keep are ignored" },
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
    meta: Type.Object({
      resourceType: Type.String(),
      created: Type.String(),
      lastModified: Type.String(),
      location: Type.String(),
    }),
  },
  { additionalProperties: false },
);

export const presentUser = (row: ScimPersonRow) => ({
  schemas: [USER_SCHEMA],
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
  meta: {
    resourceType: "User",
    created: row.createdAt.toISOString(),
    lastModified: row.updatedAt.toISOString(),
    location: locationOf("Users", row.id),
  },
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
    ...(changes.givenName !== undefined ? { givenName } : {}),
    ...(changes.familyName !== undefined ? { familyName } : {}),
    ...(changes.displayName !== undefined
      ? { name: changes.displayName }
      : changes.formatted !== undefined
        ? { name: changes.formatted }
        : {}),
  };
}

/** SCIM Users (RFC 7643 §4.1) as goals people, for the tenant of the provisioning token. */
export function scimUserRoutes(runtime: GoalsRuntime): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      `${SCIM_PREFIX}/Users`,
      {
        ...scimRoute,
        schema: {
          ...scimSchema,
          tags: ["scim"],
          summary: "Provision a person (SCIM create User); they join as a member",
          body: UserBody,
          response: {
            201: scimResponse(ScimUser, "The person, as a SCIM User"),
            ...scimErrors(400, 409, 413, 415),
          },
        },
      },
      async (request, reply) => {
        const { tenantId } = request.principal;
        const fields = personFields(request.body);
        const row = await transaction(runtime.db, async (tx) => {
          await requireOrganization(tx, tenantId);
          if (await findClash(tx, tenantId, fields.userName, fields.email))
            throw uniqueness(`a person with userName ${fields.userName} or this email already exists`);
          const id = uuidv7();
          const created = await tx.person.create({
            data: { id, tenantId, roles: ["member"], ...fields },
            select: personSelect,
          });
          await recordAudit(tx, request.principal, "person.created", { type: "person", id }, fields);
          return created;
        });
        reply.header("location", locationOf("Users", row.id));
        return sendScim(reply, 201, presentUser(row));
      },
    );

    app.get(
      `${SCIM_PREFIX}/Users`,
      {
        ...scimRoute,
        schema: {
          ...scimSchema,
          tags: ["scim"],
          summary: 'List or look up people (SCIM; filter such as userName eq "jo@example.com")',
          querystring: Type.Object(ListQuery, { additionalProperties: false }),
          response: { 200: scimResponse(ListResponse(ScimUser), "A SCIM ListResponse"), ...scimErrors(400) },
        },
      },
      async (request, reply) => {
        const { startIndex, count, filter } = request.query;
        const { totalResults, rows } = await findPeople(
          runtime.db,
          request.principal.tenantId,
          filterTerms(filter),
          {
            startIndex,
            count,
          },
        );
        return sendScim(reply, 200, {
          schemas: [LIST_SCHEMA],
          totalResults,
          startIndex,
          itemsPerPage: rows.length,
          Resources: rows.map(presentUser),
        });
      },
    );

    app.get(
      `${SCIM_PREFIX}/Users/:id`,
      {
        ...scimRoute,
        schema: {
          ...scimSchema,
          tags: ["scim"],
          summary: "One person (SCIM)",
          params: IdParam,
          querystring: Type.Object(
            { attributes: ListQuery.attributes, excludedAttributes: ListQuery.excludedAttributes },
            { additionalProperties: false },
          ),
          response: { 200: scimResponse(ScimUser, "The person, as a SCIM User"), ...scimErrors(400, 404) },
        },
      },
      async (request, reply) => {
        const row = await findPerson(runtime.db, request.principal.tenantId, request.params.id);
        if (!row) throw scimNotFound(`User ${request.params.id}`);
        return sendScim(reply, 200, presentUser(row));
      },
    );

    app.put(
      `${SCIM_PREFIX}/Users/:id`,
      {
        ...scimRoute,
        schema: {
          ...scimSchema,
          tags: ["scim"],
          summary: "Replace a person's attributes (SCIM)",
          params: IdParam,
          body: UserBody,
          response: {
            200: scimResponse(ScimUser, "The person, as a SCIM User"),
            ...scimErrors(400, 404, 409, 413, 415),
          },
        },
      },
      async (request, reply) => {
        const { tenantId } = request.principal;
        const fields = personFields(request.body);
        const row = await transaction(runtime.db, async (tx) => {
          const existing = await findPerson(tx, tenantId, request.params.id);
          if (!existing) throw scimNotFound(`User ${request.params.id}`);
          if (await findClash(tx, tenantId, fields.userName, fields.email, existing.id))
            throw uniqueness(`another person has userName ${fields.userName} or this email`);
          const updated = await tx.person.update({
            where: { tenantId_id: { tenantId, id: existing.id } },
            data: fields,
            select: personSelect,
          });
          await recordAudit(
            tx,
            request.principal,
            "person.updated",
            { type: "person", id: existing.id },
            fields,
          );
          return updated;
        });
        return sendScim(reply, 200, presentUser(row));
      },
    );

    app.patch(
      `${SCIM_PREFIX}/Users/:id`,
      {
        ...scimRoute,
        schema: {
          ...scimSchema,
          tags: ["scim"],
          summary:
            "Change a person's attributes or active state (SCIM PatchOp, as Entra ID and Okta send it)",
          params: IdParam,
          body: PatchBody,
          response: {
            200: scimResponse(ScimUser, "The person, as a SCIM User"),
            ...scimErrors(400, 404, 409, 413, 415),
          },
        },
      },
      async (request, reply) => {
        const { tenantId } = request.principal;
        const changes = userChanges(request.body.Operations);
        const row = await transaction(runtime.db, async (tx) => {
          const existing = await findPerson(tx, tenantId, request.params.id);
          if (!existing) throw scimNotFound(`User ${request.params.id}`);
          const data = patchedFields(existing, changes);
          if (data.userName !== undefined || data.email !== undefined) {
            const clash = await findClash(
              tx,
              tenantId,
              data.userName ?? existing.userName ?? existing.email,
              data.email ?? existing.email,
              existing.id,
            );
            if (clash) throw uniqueness("another person has this userName or email");
          }
          if (Object.keys(data).length === 0) return existing;
          const updated = await tx.person.update({
            where: { tenantId_id: { tenantId, id: existing.id } },
            data,
            select: personSelect,
          });
          await recordAudit(
            tx,
            request.principal,
            "person.updated",
            { type: "person", id: existing.id },
            data,
          );
          return updated;
        });
        return sendScim(reply, 200, presentUser(row));
      },
    );

    app.delete(
      `${SCIM_PREFIX}/Users/:id`,
      {
        ...scimRoute,
        schema: {
          ...scimSchema,
          tags: ["scim"],
          summary:
            "Deprovision a person (SCIM delete): they are deactivated, not erased, so their OKRs and check-ins keep their author",
          params: IdParam,
          response: { 204: Type.Null(), ...scimErrors(400, 404) },
        },
      },
      async (request, reply) => {
        const { tenantId } = request.principal;
        await transaction(runtime.db, async (tx) => {
          const existing = await findPerson(tx, tenantId, request.params.id);
          if (!existing) throw scimNotFound(`User ${request.params.id}`);
          await tx.person.update({
            where: { tenantId_id: { tenantId, id: existing.id } },
            data: { active: false },
          });
          await recordAudit(
            tx,
            request.principal,
            "person.deactivated",
            { type: "person", id: existing.id },
            {
              active: false,
            },
          );
        });
        return reply.status(204).send(null);
      },
    );
  };
}
