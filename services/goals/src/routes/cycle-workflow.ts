import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import {
  type AdminAction,
  adminCycleUpdate,
  getCycleStatus,
  startCycleRun,
  TASK_QUEUE,
  teamObjectivesUpdate,
} from "@okr/cycle-workflows";
import { conflict, listPage, notFound, problems, requireRole, resource } from "@okr/service-kit";
import type { Static, TSchema } from "typebox";
import {
  AdminBody,
  AdvanceBody,
  ApproveBody,
  CycleParams,
  ExtendBody,
  RunAccepted,
  RunBody,
  RunStatus,
  RunTeams,
  RunTeamsQuery,
  SubmitBody,
  TeamDrafting,
  TeamDraftingOf,
  TeamParams,
} from "../cycle-workflow/schemas.ts";
import { teamDraftingStatuses } from "../cycle-workflow/team-statuses.ts";
import { submitTeamObjectives, type TeamSubmission } from "../cycle-workflow/team-submission.ts";
import { asProblem, lazyTemporalClient } from "../cycle-workflow/temporal.ts";
import { requireOrganization } from "../repositories/organization.ts";
import type { GoalsRuntime } from "../service.ts";

/**
 * Runs cycles on Temporal: start (signal-with-start of the organization's program workflow), status
 * (a query), admin steering and the teams' submit/approve (workflow updates whose validators decide;
 * a rejection is a 409 or 422 problem+json with the validator's reason). Workflow ids carry the tenant,
 * so another organization's cycle is simply not found.
 */
export function cycleWorkflowRoutes(
  runtime: GoalsRuntime,
  options: { taskQueue?: string } = {},
): FastifyPluginAsyncTypebox {
  const temporal = lazyTemporalClient({
    address: runtime.config.TEMPORAL_ADDRESS,
    namespace: runtime.config.TEMPORAL_NAMESPACE,
  });
  const taskQueue = options.taskQueue ?? TASK_QUEUE;
  const runOf = (cycleId: string) => `a run of cycle ${cycleId}`;

  return resource<GoalsRuntime>("cycle runs", (app) => {
    app.post(
      "/cycles/:cycleId/run",
      {
        schema: {
          summary: "Run the cycle on Temporal (admins): queued in the organization's program workflow",
          description:
            "Signal-with-start of okr-program/<organization>: the cycle runs as okr-cycle/<organization>/<cycle> once the cycles before it closed. Durations shorten the phases for demos.",
          params: CycleParams,
          body: RunBody,
          response: { 202: RunAccepted, ...problems(400, 403, 404, 409, 503) },
        },
      },
      async (request, reply) => {
        requireRole(request, "admin", "service");
        const { tenantId } = request.principal;
        const { cycleId } = request.params;
        const organization = await requireOrganization(runtime.db, tenantId);
        const cycle = await runtime.db.cycle.findFirst({
          where: { id: cycleId, tenantId },
          // The names label the workflows in the Temporal UI.
          select: { phase: true, name: true },
        });
        if (!cycle) throw notFound(`cycle ${cycleId}`);
        if (cycle.phase === "CLOSED") throw conflict("cycle-closed", `cycle ${cycleId} is closed`);
        const started = await startCycleRun(
          await temporal(),
          tenantId,
          {
            cycleId,
            ...(request.body.durations ? { durations: request.body.durations } : {}),
            ...(request.body.limits ? { limits: request.body.limits } : {}),
            ...(request.body.continueWithNextCycle !== undefined
              ? { continueWithNextCycle: request.body.continueWithNextCycle }
              : {}),
            requestedBy: request.principal.subject,
            cycleName: cycle.name,
            organizationName: organization.name,
          },
          taskQueue,
        );
        return reply.status(202).send({
          cycleId,
          programWorkflowId: started.programWorkflowId,
          cycleWorkflowId: started.cycleWorkflowId,
        });
      },
    );

    app.get(
      "/cycles/:cycleId/run",
      {
        schema: {
          summary: "The cycle run's status: phase, deadline, teams, check-ins, scoring, report",
          params: CycleParams,
          response: { 200: RunStatus, ...problems(404, 503) },
        },
      },
      async (request) => {
        const { cycleId } = request.params;
        try {
          return await getCycleStatus(await temporal(), request.principal.tenantId, cycleId);
        } catch (error) {
          throw asProblem(error, runOf(cycleId));
        }
      },
    );

    app.get(
      "/cycles/:cycleId/run/teams",
      {
        schema: {
          summary:
            "Each team's drafting in the cycle run: state, deadline, reminders sent, escalation (paginated)",
          params: CycleParams,
          querystring: RunTeamsQuery,
          response: { 200: RunTeams, ...problems(400, 404, 503) },
        },
      },
      async (request) => {
        const { cycleId } = request.params;
        const { tenantId } = request.principal;
        const client = await temporal();
        try {
          // A cycle without a run is a 404, as for the run's status.
          await getCycleStatus(client, tenantId, cycleId);
        } catch (error) {
          throw asProblem(error, runOf(cycleId));
        }
        const teams = await listPage(
          request.query,
          { tenantId },
          (window) =>
            runtime.db.team.findMany({ ...window, select: { id: true, name: true, parentTeamId: true } }),
          (row) => row,
        );
        const statuses = await teamDraftingStatuses(
          client,
          tenantId,
          cycleId,
          teams.items.map((team) => team.id),
        );
        return {
          items: teams.items.map((team) => ({
            teamId: team.id,
            name: team.name,
            parentTeamId: team.parentTeamId,
            drafting: statuses.get(team.id) ?? null,
          })),
          nextCursor: teams.nextCursor,
        };
      },
    );

    app.get(
      "/cycles/:cycleId/teams/:teamId/drafting",
      {
        schema: {
          summary:
            "One team's drafting in the cycle run (null before it opens): where its submit and approve buttons go",
          params: TeamParams,
          response: { 200: TeamDraftingOf, ...problems(404, 503) },
        },
      },
      async (request) => {
        const { cycleId, teamId } = request.params;
        const { tenantId } = request.principal;
        const team = await runtime.db.team.findFirst({
          where: { id: teamId, tenantId },
          select: { id: true },
        });
        if (!team) throw notFound(`team ${teamId}`);
        const client = await temporal();
        try {
          await getCycleStatus(client, tenantId, cycleId);
          const statuses = await teamDraftingStatuses(client, tenantId, cycleId, [teamId]);
          return { teamId, drafting: statuses.get(teamId) ?? null };
        } catch (error) {
          throw asProblem(error, runOf(cycleId));
        }
      },
    );

    const adminRoute = <Body extends TSchema>(
      path: string,
      action: AdminAction,
      body: Body,
      summary: string,
    ) =>
      app.post(
        `/cycles/:cycleId/run/${path}`,
        {
          schema: {
            summary,
            params: CycleParams,
            body,
            response: { 200: RunStatus, ...problems(400, 403, 404, 409, 422, 503) },
          },
        },
        async (request) => {
          requireRole(request, "admin", "service");
          const { cycleId } = request.params as Static<typeof CycleParams>;
          try {
            return await adminCycleUpdate(await temporal(), request.principal.tenantId, cycleId, action, {
              ...(request.body as object),
              actorId: request.principal.subject,
            } as never);
          } catch (error) {
            throw asProblem(error, runOf(cycleId));
          }
        },
      );
    adminRoute("advance", "advance", AdvanceBody, "End the current phase now and move to the next (admins)");
    adminRoute("pause", "pause", AdminBody, "Pause the cycle: no deadline runs out, no phase moves (admins)");
    adminRoute(
      "resume",
      "resume",
      AdminBody,
      "Resume a paused cycle; deadlines move on by the paused time (admins)",
    );
    adminRoute("extend-deadline", "extend-deadline", ExtendBody, "Give the current phase more time (admins)");

    const teamRoute = <Body extends TSchema>(action: "submit" | "approve", body: Body, summary: string) =>
      app.post(
        `/cycles/:cycleId/teams/:teamId/${action}`,
        {
          schema: {
            summary,
            params: TeamParams,
            body,
            response: { 200: TeamDrafting, ...problems(400, 403, 404, 409, 422, 503) },
          },
        },
        async (request) => {
          requireRole(request, "leader", "admin", "service");
          const { cycleId, teamId } = request.params as Static<typeof TeamParams>;
          const { principal } = request;
          const inWorkflow = async () =>
            teamObjectivesUpdate(
              await temporal(),
              { organizationId: principal.tenantId, cycleId, teamId },
              action,
              { ...(request.body as object), actorId: principal.subject },
            );
          try {
            return action === "submit"
              ? await submitTeamObjectives(
                  runtime,
                  principal,
                  { cycleId, teamId },
                  request.body as TeamSubmission,
                  inWorkflow,
                )
              : await inWorkflow();
          } catch (error) {
            throw asProblem(error, runOf(cycleId));
          }
        },
      );
    teamRoute(
      "submit",
      SubmitBody,
      "Submit the team's objectives (its own and adopted parent key results) while its drafting is open (the team's leaders); its own objectives move to submitted in the same step",
    );
    teamRoute(
      "approve",
      ApproveBody,
      "Approve the team's submitted objectives (leaders of the team or of its parent team)",
    );
  })(runtime);
}
