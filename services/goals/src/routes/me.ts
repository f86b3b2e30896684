import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { isUuid } from "@okr/events";
import { notFound, problems, ROLES, Uuid } from "@okr/service-kit";
import { Type } from "typebox";
import type { GoalsRuntime } from "../service.ts";
import { Literals } from "./schemas.ts";

const Me = Type.Object({
  id: Uuid("the person the caller acts as"),
  name: Type.String(),
  email: Type.String(),
  roles: Type.Array(Literals(ROLES), { description: "what the caller's token lets them do" }),
  teams: Type.Array(
    Type.Object({ teamId: Uuid(), name: Type.String(), role: Literals(["leader", "member"] as const) }),
  ),
  identity: Type.Union(
    [
      Type.Object(
        { issuer: Type.String(), subject: Type.String() },
        { description: "the sign-in it is linked to" },
      ),
      Type.Null(),
    ],
    { description: "null for a token the platform signed (tests, development)" },
  ),
});

/** The signed-in person: who a web app greets, and where their teams come from. */
export function meRoutes(runtime: GoalsRuntime): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      "/me",
      {
        schema: {
          tags: ["people"],
          summary: "The person the caller acts as, with their teams",
          description:
            "A sign-in through the organization's identity provider acts as the person it is linked to (by verified email on first sign-in). Service tokens, and an administrator not yet linked to a person, are nobody: 404.",
          response: { 200: Me, ...problems(404) },
        },
      },
      async (request) => {
        const { tenantId, subject, roles, identity } = request.principal;
        const person = !isUuid(subject)
          ? null
          : await runtime.db.person.findFirst({
              where: { tenantId, id: subject },
              select: {
                id: true,
                name: true,
                email: true,
                memberships: { select: { teamId: true, role: true, team: { select: { name: true } } } },
              },
            });
        if (!person)
          throw notFound("a person for this caller (service tokens and unlinked sign-ins are nobody)");
        return {
          id: person.id,
          name: person.name,
          email: person.email,
          roles,
          teams: person.memberships
            .map((m) => ({ teamId: m.teamId, name: m.team.name, role: m.role as "leader" | "member" }))
            .sort((a, b) => a.name.localeCompare(b.name)),
          identity: identity ? { issuer: identity.issuer, subject: identity.subject } : null,
        };
      },
    );
  };
}
