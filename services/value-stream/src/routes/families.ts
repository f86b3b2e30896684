import { prismaRunner } from "@okr/database";
import { ProductFamilyChanged, uuidv7 } from "@okr/events";
import { publishEvent } from "@okr/messaging";
import {
  IdParams,
  listPage,
  notFound,
  Page,
  PageQuery,
  problems,
  requireRole,
  resource,
} from "@okr/service-kit";
import { Type } from "typebox";
import type { ProductFamily } from "../generated/prisma/client.ts";
import type { ValueStreamRuntime } from "../service.ts";
import { Family } from "../views.ts";

const FamilyBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    customer: Type.String({ minLength: 1, maxLength: 200, description: "who the end customer is" }),
    valueStatement: Type.String({
      minLength: 1,
      maxLength: 2000,
      description: "what the end customer values and would pay for, in their words",
    }),
  },
  { additionalProperties: false },
);

const present = (row: ProductFamily) => ({
  id: row.id,
  name: row.name,
  customer: row.customer,
  valueStatement: row.valueStatement,
  createdAt: row.createdAt.toISOString(),
});

/** Product families: Lean's first principle, value specified from the end customer's standpoint. */
export const familyRoutes = resource<ValueStreamRuntime>("product families", (app, { db }) => {
  app.post(
    "/product-families",
    {
      config: { creates: "/product-families/:id" },
      schema: {
        summary: "Create a product family with its customer value statement (admins, leaders)",
        body: FamilyBody,
        response: { 201: Family, ...problems(400, 403) },
      },
    },
    async (request, reply) => {
      requireRole(request, "admin", "leader");
      const tenant = request.principal.tenantId;
      const row = await db.$transaction(async (tx) => {
        const saved = await tx.productFamily.create({
          data: { id: uuidv7(), tenantId: tenant, ...request.body },
        });
        await publishEvent(
          prismaRunner(tx),
          ProductFamilyChanged,
          { familyId: saved.id, ...request.body },
          { tenant },
        );
        return saved;
      });
      return reply.status(201).send(present(row));
    },
  );

  app.get(
    "/product-families",
    {
      schema: {
        summary: "The tenant's product families (paginated)",
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
        response: { 200: Page(Family) },
      },
    },
    async (request) => {
      const where = { tenantId: request.principal.tenantId };
      return listPage(request.query, where, (window) => db.productFamily.findMany(window), present);
    },
  );

  app.get(
    "/product-families/:id",
    {
      schema: { tags: ["product families"], params: IdParams, response: { 200: Family, ...problems(404) } },
    },
    async (request) => {
      const row = await db.productFamily.findFirst({
        where: { id: request.params.id, tenantId: request.principal.tenantId },
      });
      if (!row) throw notFound(`product family ${request.params.id}`);
      return present(row);
    },
  );

  app.patch(
    "/product-families/:id",
    {
      schema: {
        summary: "Change a family's name, customer or value statement (admins, leaders)",
        params: IdParams,
        body: Type.Partial(FamilyBody, { additionalProperties: false, minProperties: 1 }),
        response: { 200: Family, ...problems(400, 403, 404) },
      },
    },
    async (request) => {
      requireRole(request, "admin", "leader");
      const tenant = request.principal.tenantId;
      const row = await db.$transaction(async (tx) => {
        const existing = await tx.productFamily.findFirst({
          where: { id: request.params.id, tenantId: tenant },
        });
        if (!existing) throw notFound(`product family ${request.params.id}`);
        const saved = await tx.productFamily.update({ where: { id: existing.id }, data: request.body });
        await publishEvent(
          prismaRunner(tx),
          ProductFamilyChanged,
          {
            familyId: saved.id,
            name: saved.name,
            customer: saved.customer,
            valueStatement: saved.valueStatement,
          },
          { tenant },
        );
        return saved;
      });
      return present(row);
    },
  );
});
