import { forbidden, IdParams, Page, PageQuery, page, problems, resource, Uuid } from "@okr/service-kit";
import type { FastifyRequest } from "fastify";
import { Type } from "typebox";
import { listDeliveries, markRead } from "../repositories/deliveries.ts";
import type { NotifierRuntime } from "../service.ts";
import { DeliveryView } from "./schemas.ts";

/** A person's inbox is theirs (the token's subject is a person id); admins and services may read any. */
export function requireSelfOrAdmin(request: FastifyRequest, personId: string): void {
  const { principal } = request;
  if (principal.subject === personId) return;
  if (principal.roles.some((role) => role === "admin" || role === "service")) return;
  throw forbidden("a person's notifications are theirs (or an admin's) to read");
}

/** The in-app inbox: a person's notifications, for the web app to show and mark read. */
export const inboxRoutes = resource<NotifierRuntime>("inbox", (app, { pool }) => {
  app.get(
    "/people/:id/notifications",
    {
      schema: {
        summary: "A person's notifications, newest first",
        params: IdParams,
        querystring: Type.Object({
          unread: Type.Optional(Type.Boolean({ description: "true: only those not read yet" })),
          ...PageQuery,
        }),
        response: { 200: Page(DeliveryView), ...problems(400, 403) },
      },
    },
    async (request) => {
      requireSelfOrAdmin(request, request.params.id);
      const { cursor, limit, unread } = request.query;
      const rows = await listDeliveries(pool, request.principal.tenantId, {
        channel: "in-app",
        state: "sent",
        recipientId: request.params.id,
        unread: unread === true,
        cursor,
        limit,
      });
      return page(rows, limit);
    },
  );

  app.post(
    "/people/:id/notifications/read",
    {
      schema: {
        summary: "Mark notifications read",
        description: "Marks the given notifications of the person read, or all of them when `ids` is absent.",
        params: IdParams,
        body: Type.Object(
          { ids: Type.Optional(Type.Array(Uuid(), { minItems: 1, maxItems: 1000 })) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ marked: Type.Integer({ minimum: 0 }) }), ...problems(400, 403) },
      },
    },
    async (request) => {
      requireSelfOrAdmin(request, request.params.id);
      const marked = await markRead(
        pool,
        request.principal.tenantId,
        request.params.id,
        request.body.ids ?? null,
      );
      return { marked };
    },
  );
});
