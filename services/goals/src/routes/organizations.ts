import { prismaRunner } from "@okr/database";
import { type EventData, OrganizationCreated } from "@okr/events";
import { DEFAULT_POLICY, type OkrPolicy, validatePolicy } from "@okr/goals-domain";
import { publishEvent } from "@okr/messaging";
import { notFound, problems, requireRole, resource } from "@okr/service-kit";
import { Type } from "typebox";
import { transaction } from "../database.ts";
import { recordAudit } from "../repositories/audit.ts";
import { requireOrganization } from "../repositories/organization.ts";
import { loadPolicy } from "../repositories/policy.ts";
import { rejectIf } from "../rules.ts";
import type { GoalsRuntime } from "../service.ts";
import { Literals } from "./schemas.ts";

const OrganizationBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    mission: Type.String({
      minLength: 1,
      maxLength: 2000,
      description: "the WHY top-level objectives align to",
    }),
    selfJoin: Type.Optional(
      Type.Boolean({
        description:
          "a person who signs in through the organization's identity provider with a verified email that matches nobody joins as a member (default false: an administrator or SCIM provisions people); omitted on an update, it stays as it was",
      }),
    ),
  },
  { additionalProperties: false },
);

const Organization = Type.Object({
  id: Type.String({ format: "uuid" }),
  name: Type.String(),
  mission: Type.String(),
  selfJoin: Type.Boolean(),
  createdAt: Type.String({ format: "date-time" }),
});

const Limit = (description: string) =>
  Type.Object(
    {
      min: Type.Integer({ minimum: 1, maximum: 20 }),
      max: Type.Integer({ minimum: 1, maximum: 20 }),
      enforcement: Literals(["warn", "reject"] as const),
    },
    { additionalProperties: false, description },
  );

const Policy = Type.Object(
  {
    objectivesPerOwner: Limit(
      "objectives per owner (team or person) per cycle; max checked on create, min on submit",
    ),
    keyResultsPerObjective: Limit("key results per objective; max checked on add, min on submit"),
    scoringPolicyId: Type.String({ minLength: 1, maxLength: 100 }),
    checkInCadence: Type.Object(
      {
        weekday: Type.Integer({ minimum: 0, maximum: 6 }),
        hour: Type.Integer({ minimum: 0, maximum: 23 }),
        everyDays: Type.Integer({ minimum: 1, maximum: 90 }),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

type OrganizationRow = { id: string; name: string; mission: string; selfJoin: boolean; createdAt: Date };
const present = (row: OrganizationRow) => ({
  id: row.id,
  name: row.name,
  mission: row.mission,
  selfJoin: row.selfJoin,
  createdAt: row.createdAt.toISOString(),
});

/** The caller's own organization (the tenant named by the token). */
export const organizationRoutes = resource<GoalsRuntime>("organization", (app, runtime) => {
  app.get(
    "/organization",
    {
      schema: {
        summary: "The caller's organization",
        response: { 200: Organization, ...problems(404) },
      },
    },
    async (request) => {
      const row = await runtime.db.organization.findUnique({ where: { id: request.principal.tenantId } });
      if (!row) throw notFound(`organization ${request.principal.tenantId}`);
      return present(row);
    },
  );

  app.put(
    "/organization",
    {
      schema: {
        summary: "Create or update the caller's organization (admins)",
        body: OrganizationBody,
        response: {
          200: Organization,
          201: Organization,
          ...problems(400, 403),
        },
      },
    },
    async (request, reply) => {
      requireRole(request, "admin");
      const id = request.principal.tenantId;
      const { created, row } = await transaction(runtime.db, async (tx) => {
        const existing = await tx.organization.findUnique({ where: { id } });
        const saved = await tx.organization.upsert({
          where: { id },
          create: { id, ...request.body },
          update: request.body,
        });
        await recordAudit(
          tx,
          request.principal,
          existing ? "organization.updated" : "organization.created",
          {
            type: "organization",
            id,
          },
          request.body,
        );
        if (!existing) {
          const data: EventData<typeof OrganizationCreated> = {
            organizationId: id,
            name: saved.name,
            mission: saved.mission,
            createdAt: saved.createdAt.toISOString(),
          };
          await publishEvent(prismaRunner(tx), OrganizationCreated, data, { tenant: id });
        }
        return { created: !existing, row: saved };
      });
      return reply.status(created ? 201 : 200).send(present(row));
    },
  );

  app.get(
    "/organization/policy",
    {
      schema: {
        summary: "The organization's OKR policy (the method's defaults until an admin sets one)",
        response: { 200: Policy },
      },
    },
    async (request) => loadPolicy(runtime.db, request.principal.tenantId),
  );

  app.put(
    "/organization/policy",
    {
      schema: {
        summary:
          "Set the OKR policy: limits (each warning or rejecting), scoring policy id, check-in cadence (admins)",
        body: Policy,
        response: { 200: Policy, ...problems(400, 403, 409, 422) },
      },
    },
    async (request) => {
      requireRole(request, "admin", "service");
      const policy: OkrPolicy = { ...DEFAULT_POLICY, ...request.body };
      rejectIf(validatePolicy(policy));
      const id = request.principal.tenantId;
      await transaction(runtime.db, async (tx) => {
        await requireOrganization(tx, id);
        await tx.organization.update({
          where: { id },
          data: { policy: JSON.parse(JSON.stringify(policy)) },
        });
        await recordAudit(
          tx,
          request.principal,
          "policy.updated",
          { type: "organization", id },
          policy as never,
        );
      });
      return policy;
    },
  );
});
