import { badRequest, forbidden, IdParams, notFound, problems, resource } from "@okr/service-kit";
import type { FastifyRequest } from "fastify";
import { Type } from "typebox";
import { knownTeam } from "../repositories/people.ts";
import {
  clearTeamChannel,
  listTeamChannels,
  setTeamChannel,
  type TeamChannel,
} from "../repositories/team-channels.ts";
import { maskUrl, outboundUrlProblem } from "../rules/outbound-urls.ts";
import type { NotifierRuntime } from "../service.ts";
import { TeamChannelBody, TeamChannelParams, TeamChannelView } from "./channel-schemas.ts";

const view = (channel: TeamChannel) => ({
  kind: channel.kind,
  url: maskUrl(channel.url),
  updatedBy: channel.updatedBy,
  updatedAt: channel.updatedAt.toISOString(),
});

/** A team's Slack and Teams channels: where notifications for the team are posted too. */
export const teamChannelRoutes = resource<NotifierRuntime>("team channels", (app, runtime) => {
  const { pool, config } = runtime;

  /** A team's channels are its leaders' (as the replica knows them) or an admin's to see and change. */
  async function requireTeamLeaderOrAdmin(request: FastifyRequest, teamId: string): Promise<void> {
    const { principal } = request;
    const team = await knownTeam(pool, principal.tenantId, teamId);
    if (!team) throw notFound(`team ${teamId}`);
    if (principal.roles.some((role) => role === "admin" || role === "service")) return;
    if (team.leaders.includes(principal.subject)) return;
    throw forbidden("a team's chat channels are its leaders' (or an admin's) to manage");
  }

  app.get(
    "/teams/:id/channels",
    {
      schema: {
        summary: "A team's chat channels, their URLs masked (its leaders, admins)",
        params: IdParams,
        response: {
          200: Type.Object({ items: Type.Array(TeamChannelView) }),
          ...problems(400, 403, 404),
        },
      },
    },
    async (request) => {
      await requireTeamLeaderOrAdmin(request, request.params.id);
      const channels = await listTeamChannels(pool, request.principal.tenantId, request.params.id);
      return { items: channels.map(view) };
    },
  );

  app.put(
    "/teams/:id/channels/:kind",
    {
      schema: {
        summary: "Set the team's Slack or Teams channel (its leaders, admins)",
        description:
          "Notifications for the team (reminders addressed to it, alerts about objectives it owns) are " +
          "posted to the URL from now on. The answer shows the URL masked; it is never shown whole again.",
        params: TeamChannelParams,
        body: TeamChannelBody,
        response: { 200: TeamChannelView, ...problems(400, 403, 404) },
      },
    },
    async (request) => {
      const { id, kind } = request.params;
      const problem = outboundUrlProblem(kind, request.body.url, config.ALLOW_LOCAL_WEBHOOK_URLS);
      if (problem) throw badRequest(`url: ${problem}`);
      await requireTeamLeaderOrAdmin(request, id);
      const channel = await setTeamChannel(pool, {
        tenantId: request.principal.tenantId,
        teamId: id,
        kind,
        url: request.body.url,
        updatedBy: request.principal.subject,
      });
      return view(channel);
    },
  );

  app.delete(
    "/teams/:id/channels/:kind",
    {
      schema: {
        summary: "Clear the team's Slack or Teams channel (its leaders, admins)",
        description: "What was still waiting to be posted there is skipped (channel-removed).",
        params: TeamChannelParams,
        response: { 204: Type.Null(), ...problems(400, 403, 404) },
      },
    },
    async (request, reply) => {
      const { id, kind } = request.params;
      await requireTeamLeaderOrAdmin(request, id);
      if (!(await clearTeamChannel(pool, request.principal.tenantId, id, kind)))
        throw notFound(`a ${kind} channel of team ${id}`);
      return reply.status(204).send(null);
    },
  );
});
