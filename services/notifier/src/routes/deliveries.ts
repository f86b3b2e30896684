import {
  conflict,
  IdParams,
  notFound,
  Page,
  PageQuery,
  page,
  problems,
  requireRole,
  resource,
} from "@okr/service-kit";
import { Type } from "typebox";
import { findDelivery, listDeliveries, retryParked } from "../repositories/deliveries.ts";
import type { NotifierRuntime } from "../service.ts";
import { Channel, DeliveryState, DeliveryView } from "./schemas.ts";

/** The delivery records of the caller's organization, for operators: what was sent, skipped or parked. */
export const deliveryRoutes = resource<NotifierRuntime>("deliveries", (app, { pool }) => {
  app.get(
    "/deliveries",
    {
      schema: {
        summary: "The organization's deliveries, newest first (admins)",
        querystring: Type.Object({
          state: Type.Optional(DeliveryState),
          channel: Type.Optional(Channel),
          ...PageQuery,
        }),
        response: { 200: Page(DeliveryView), ...problems(400, 403) },
      },
    },
    async (request) => {
      requireRole(request, "admin", "service");
      const { state, channel, cursor, limit } = request.query;
      const rows = await listDeliveries(pool, request.principal.tenantId, {
        state,
        channel,
        cursor,
        limit,
      });
      return page(rows, limit);
    },
  );

  app.get(
    "/deliveries/:id",
    {
      schema: {
        summary: "One delivery (admins)",
        params: IdParams,
        response: { 200: DeliveryView, ...problems(400, 403, 404) },
      },
    },
    async (request) => {
      requireRole(request, "admin", "service");
      const delivery = await findDelivery(pool, request.principal.tenantId, request.params.id);
      if (!delivery) throw notFound(`delivery ${request.params.id}`);
      return delivery;
    },
  );

  app.post(
    "/deliveries/:id/retry",
    {
      schema: {
        summary: "Send a parked delivery again (admins)",
        description:
          "The delivery becomes pending with fresh attempts and is sent by the next round of the sender. " +
          "Only a parked delivery can be retried (409 otherwise).",
        params: IdParams,
        response: { 202: DeliveryView, ...problems(400, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      requireRole(request, "admin", "service");
      const tenant = request.principal.tenantId;
      const retried = await retryParked(pool, tenant, request.params.id);
      if (retried) return reply.status(202).send(retried);
      const delivery = await findDelivery(pool, tenant, request.params.id);
      if (!delivery) throw notFound(`delivery ${request.params.id}`);
      throw conflict("delivery-not-parked", `delivery ${delivery.id} is ${delivery.state}, not parked`);
    },
  );
});
