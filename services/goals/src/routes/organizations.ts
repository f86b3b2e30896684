import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { type EventData, OrganizationCreated } from "@okr/events";
import { publishEvent } from "@okr/messaging";
import { notFound, requireRole } from "@okr/service-kit";
import { Type } from "typebox";
import type { GoalsRuntime } from "../service.ts";

const OrganizationBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    mission: Type.String({
      minLength: 1,
      maxLength: 2000,
      description: "the WHY top-level objectives align to",
    }),
  },
  { additionalProperties: false },
);

const Organization = Type.Object({
  id: Type.String({ format: "uuid" }),
  name: Type.String(),
  mission: Type.String(),
  createdAt: Type.String({ format: "date-time" }),
});

type OrganizationRow = { id: string; name: string; mission: string; createdAt: Date };
const present = (row: OrganizationRow) => ({ ...row, createdAt: row.createdAt.toISOString() });

/** The caller's own organization (the tenant named by the token). */
export function organizationRoutes(runtime: GoalsRuntime): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      "/organization",
      {
        schema: {
          tags: ["organization"],
          summary: "The caller's organization",
          response: { 200: Organization, 404: { $ref: "Problem#" } },
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
          tags: ["organization"],
          summary: "Create or update the caller's organization (admins)",
          body: OrganizationBody,
          response: {
            200: Organization,
            201: Organization,
            400: { $ref: "Problem#" },
            403: { $ref: "Problem#" },
          },
        },
      },
      async (request, reply) => {
        requireRole(request, "admin");
        const id = request.principal.tenantId;
        const { created, row } = await runtime.db.$transaction(async (tx) => {
          const existing = await tx.organization.findUnique({ where: { id } });
          const saved = await tx.organization.upsert({
            where: { id },
            create: { id, ...request.body },
            update: request.body,
          });
          if (!existing) {
            const data: EventData<typeof OrganizationCreated> = {
              organizationId: id,
              name: saved.name,
              mission: saved.mission,
              createdAt: saved.createdAt.toISOString(),
            };
            await publishEvent(tx, OrganizationCreated, data, { tenant: id });
          }
          return { created: !existing, row: saved };
        });
        return reply.status(created ? 201 : 200).send(present(row));
      },
    );
  };
}
