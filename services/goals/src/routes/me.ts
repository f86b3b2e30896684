import { isUuid } from "@okr/events";
import { workFor } from "@okr/goals-domain";
import { notFound, problems, resource } from "@okr/service-kit";
import { Type } from "typebox";
import { workSnapshot } from "../repositories/my-work.ts";
import type { GoalsRuntime } from "../service.ts";
import { MeSchema, WorkItemSchema } from "./views.ts";

/** The caller as a person of the tenant, or a 404 (service tokens and unlinked sign-ins are nobody). */
const notAPerson = () =>
  notFound("a person for this caller (service tokens and unlinked sign-ins are nobody)");

/** The signed-in person: who a web app greets, and where their teams come from. */
export const meRoutes = resource<GoalsRuntime>("people", (app, runtime) => {
  app.get(
    "/me",
    {
      schema: {
        summary: "The person the caller acts as, with their teams",
        description:
          "A sign-in through the organization's identity provider acts as the person it is linked to (by verified email on first sign-in). Service tokens, and an administrator not yet linked to a person, are nobody: 404.",
        response: { 200: MeSchema, ...problems(404) },
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
        tenantId,
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

  app.get(
    "/me/work",
    {
      schema: {
        summary: "What the open cycles ask of the caller now, soonest due first",
        description:
          "Check-ins the cadence asks for on key results the caller or their teams own, and mid-cycle reviews of teams the caller leads that the cycle workflow asked them for and no leader recorded as held (CHECK_INS); for teams the caller leads, objectives to write and submit and child teams' submissions to approve (SETTING, CASCADE), and retrospectives to write (RETROSPECTIVE). A team's item carries the deadline the cycle workflow's newest reminder about it gave the caller (`dueAt`, null when none came); items without one come last.",
        response: { 200: Type.Object({ items: Type.Array(WorkItemSchema) }), ...problems(404) },
      },
    },
    async (request) => {
      const { tenantId, subject } = request.principal;
      const person = isUuid(subject)
        ? await runtime.db.person.findFirst({ where: { tenantId, id: subject }, select: { id: true } })
        : null;
      if (!person) throw notAPerson();
      return { items: workFor(await workSnapshot(runtime.db, tenantId, person.id), new Date()) };
    },
  );
});
