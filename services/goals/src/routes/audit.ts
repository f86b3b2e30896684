import { listPage, PageQuery, problems, requireRole, resource, Uuid } from "@okr/service-kit";
import { Type } from "typebox";
import type { GoalsRuntime } from "../service.ts";
import { DateTime, NullableUuid } from "./schemas.ts";

const AuditEntry = Type.Object({
  id: Uuid(),
  actorId: Type.String(),
  action: Type.String(),
  entityType: Type.String(),
  entityId: Type.String(),
  changes: Type.Unknown(),
  at: DateTime(),
});

/** The audit trail: who changed what and when (admins and leaders read it). */
export const auditRoutes = resource<GoalsRuntime>("audit", (app, runtime) => {
  app.get(
    "/audit",
    {
      schema: {
        summary: "Who changed what and when, oldest first (paginated; filter by entity or actor)",
        querystring: Type.Object(
          {
            ...PageQuery,
            entityId: Type.Optional(Type.String({ maxLength: 200 })),
            actorId: Type.Optional(Type.String({ maxLength: 200 })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ items: Type.Array(AuditEntry), nextCursor: NullableUuid() }),
          ...problems(403),
        },
      },
    },
    async (request) => {
      requireRole(request, "admin", "leader", "service");
      const { entityId, actorId } = request.query;
      return listPage(
        request.query,
        {
          tenantId: request.principal.tenantId,
          ...(entityId ? { entityId } : {}),
          ...(actorId ? { actorId } : {}),
        },
        (window) => runtime.db.auditEntry.findMany(window),
        (row) => ({ ...row, at: row.at.toISOString() }),
      );
    },
  );
});
