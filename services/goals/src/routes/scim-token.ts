import { noContent, notFound, problems, requireRole, resource, Uuid } from "@okr/service-kit";
import { Type } from "typebox";
import { transaction } from "../database.ts";
import { recordAudit } from "../repositories/audit.ts";
import { requireOrganization } from "../repositories/organization.ts";
import { describeScimToken, revokeScimToken, rotateScimToken } from "../repositories/scim-tokens.ts";
import type { GoalsRuntime } from "../service.ts";
import { DateTime } from "./schemas.ts";

const TokenInfo = Type.Object({ id: Uuid(), createdBy: Type.String(), createdAt: DateTime() });

/**
 * The tenant's SCIM provisioning token (admins): the identity provider sends it as its bearer token on
 * /scim/v2. Creating one replaces the previous one; its text is shown in this answer only.
 */
export const scimTokenRoutes = resource<GoalsRuntime>("scim", (app, runtime) => {
  app.post(
    "/scim-token",
    {
      schema: {
        summary: "Create or rotate the tenant's SCIM provisioning token (admins; shown once; takes no body)",
        response: {
          201: Type.Object({
            id: Uuid(),
            token: Type.String({ description: "the bearer token for /scim/v2; not retrievable later" }),
            createdAt: DateTime(),
          }),
          ...problems(403, 409),
        },
      },
    },
    async (request, reply) => {
      requireRole(request, "admin");
      const { tenantId, subject } = request.principal;
      const created = await transaction(runtime.db, async (tx) => {
        await requireOrganization(tx, tenantId);
        const token = await rotateScimToken(tx, tenantId, subject);
        await recordAudit(
          tx,
          request.principal,
          "scim-token.created",
          { type: "scim-token", id: token.id },
          {},
        );
        return token;
      });
      reply.header("cache-control", "no-store");
      return reply.status(201).send({ ...created, createdAt: created.createdAt.toISOString() });
    },
  );

  app.get(
    "/scim-token",
    {
      schema: {
        summary: "When and by whom the tenant's SCIM token was created (admins; never its text)",
        response: { 200: TokenInfo, ...problems(403, 404) },
      },
    },
    async (request) => {
      requireRole(request, "admin");
      const found = await describeScimToken(runtime.db, request.principal.tenantId);
      if (!found) throw notFound("the SCIM token");
      return { ...found, createdAt: found.createdAt.toISOString() };
    },
  );

  app.delete(
    "/scim-token",
    {
      schema: {
        summary: "Revoke the tenant's SCIM token (admins): provisioning stops until a new one is created",
        response: noContent(403, 404),
      },
    },
    async (request, reply) => {
      requireRole(request, "admin");
      const { tenantId } = request.principal;
      await transaction(runtime.db, async (tx) => {
        if (!(await revokeScimToken(tx, tenantId))) throw notFound("the SCIM token");
        await recordAudit(
          tx,
          request.principal,
          "scim-token.revoked",
          { type: "scim-token", id: tenantId },
          {},
        );
      });
      return reply.status(204).send(null);
    },
  );
});
