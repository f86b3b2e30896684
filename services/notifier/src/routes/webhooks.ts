import { ALL_EVENTS } from "@okr/events";
import { badRequest, IdParams, notFound, problems, requireRole, resource } from "@okr/service-kit";
import { Type } from "typebox";
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  type WebhookEndpointView as Endpoint,
  findWebhookEndpoint,
  listWebhookEndpoints,
  rotateWebhookSecret,
  updateWebhookEndpoint,
} from "../repositories/webhooks.ts";
import { outboundUrlProblem } from "../rules/outbound-urls.ts";
import { newWebhookSecret } from "../rules/signature.ts";
import type { NotifierRuntime } from "../service.ts";
import {
  RotateBody,
  WebhookCreateBody,
  WebhookEndpointView,
  WebhookUpdateBody,
  WebhookWithSecret,
} from "./channel-schemas.ts";

const CATALOG_TYPES = new Set(ALL_EVENTS.map((definition) => definition.type));

/** Why a list of event types cannot be subscribed to, or null. */
function eventTypesProblem(types: string[]): string | null {
  if (types.includes("*")) return types.length === 1 ? null : "eventTypes: '*' (every type) stands alone";
  const unknown = types.filter((type) => !CATALOG_TYPES.has(type));
  return unknown.length > 0 ? `eventTypes: not in the event catalog: ${unknown.join(", ")}` : null;
}

/** The organization's outbound webhook endpoints (admins): any catalog event, signed (Standard Webhooks). */
export const webhookRoutes = resource<NotifierRuntime>("webhooks", (app, runtime) => {
  const { pool, config } = runtime;
  const check = (body: { url?: string; eventTypes?: string[] }) => {
    const urlProblem =
      body.url === undefined
        ? null
        : outboundUrlProblem("webhook", body.url, config.ALLOW_LOCAL_WEBHOOK_URLS);
    if (urlProblem) throw badRequest(`url: ${urlProblem}`);
    const typesProblem = body.eventTypes === undefined ? null : eventTypesProblem(body.eventTypes);
    if (typesProblem) throw badRequest(typesProblem);
  };
  const found = async (tenantId: string, id: string): Promise<Endpoint> => {
    const endpoint = await findWebhookEndpoint(pool, tenantId, id);
    if (!endpoint) throw notFound(`webhook endpoint ${id}`);
    return endpoint;
  };

  app.post(
    "/webhooks",
    {
      schema: {
        summary: "Add an endpoint (admins); its signing secret is in this answer only",
        description:
          "Catalog events of the given types published from now on are POSTed to the URL, signed per " +
          "the Standard Webhooks spec (webhook-id, webhook-timestamp, webhook-signature).",
        body: WebhookCreateBody,
        response: { 201: WebhookWithSecret, ...problems(400, 403) },
      },
    },
    async (request, reply) => {
      requireRole(request, "admin", "service");
      check(request.body);
      const tenantId = request.principal.tenantId;
      const secret = newWebhookSecret();
      const id = await createWebhookEndpoint(pool, {
        tenantId,
        url: request.body.url,
        description: request.body.description ?? "",
        eventTypes: request.body.eventTypes,
        secret,
      });
      return reply.status(201).send({ ...(await found(tenantId, id)), secret });
    },
  );

  app.get(
    "/webhooks",
    {
      schema: {
        summary: "The organization's endpoints (admins)",
        response: { 200: Type.Object({ items: Type.Array(WebhookEndpointView) }), ...problems(403) },
      },
    },
    async (request) => {
      requireRole(request, "admin", "service");
      return { items: await listWebhookEndpoints(pool, request.principal.tenantId) };
    },
  );

  app.get(
    "/webhooks/:id",
    {
      schema: {
        summary: "One endpoint (admins)",
        params: IdParams,
        response: { 200: WebhookEndpointView, ...problems(400, 403, 404) },
      },
    },
    async (request) => {
      requireRole(request, "admin", "service");
      return found(request.principal.tenantId, request.params.id);
    },
  );

  app.patch(
    "/webhooks/:id",
    {
      schema: {
        summary: "Change an endpoint's URL, event types or description (admins)",
        params: IdParams,
        body: WebhookUpdateBody,
        response: { 200: WebhookEndpointView, ...problems(400, 403, 404) },
      },
    },
    async (request) => {
      requireRole(request, "admin", "service");
      check(request.body);
      const { tenantId } = request.principal;
      if (!(await updateWebhookEndpoint(pool, tenantId, request.params.id, request.body)))
        throw notFound(`webhook endpoint ${request.params.id}`);
      return found(tenantId, request.params.id);
    },
  );

  app.delete(
    "/webhooks/:id",
    {
      schema: {
        summary: "Remove an endpoint (admins)",
        description: "What was still waiting to be sent to it is skipped (endpoint-removed).",
        params: IdParams,
        response: { 204: Type.Null(), ...problems(400, 403, 404) },
      },
    },
    async (request, reply) => {
      requireRole(request, "admin", "service");
      if (!(await deleteWebhookEndpoint(pool, request.principal.tenantId, request.params.id)))
        throw notFound(`webhook endpoint ${request.params.id}`);
      return reply.status(204).send(null);
    },
  );

  app.post(
    "/webhooks/:id/rotate-secret",
    {
      schema: {
        summary: "Make a new signing secret (admins); it is in this answer only",
        description:
          "From now on the new secret signs; the ones signing until now sign too for `graceSeconds`, " +
          "so each request carries both signatures (space-separated) while receivers switch.",
        params: IdParams,
        body: RotateBody,
        response: { 200: WebhookWithSecret, ...problems(400, 403, 404) },
      },
    },
    async (request) => {
      requireRole(request, "admin", "service");
      const { tenantId } = request.principal;
      const secret = newWebhookSecret();
      const grace = request.body.graceSeconds ?? 24 * 3600;
      if (!(await rotateWebhookSecret(pool, tenantId, request.params.id, secret, grace)))
        throw notFound(`webhook endpoint ${request.params.id}`);
      return { ...(await found(tenantId, request.params.id)), secret };
    },
  );
});
