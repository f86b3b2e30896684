import { notFound, problems, resource, Uuid } from "@okr/service-kit";
import { type Static, Type } from "typebox";
import { findCycle } from "../repositories/cycles.ts";
import { teamHeatmapRows } from "../repositories/team-heatmap.ts";
import type { GoalsRuntime } from "../service.ts";
import { TeamHeatmapSchema } from "./views.ts";

/** How far below the team the heatmap reaches: enough for a department's tree, bounded for a company's. */
const MAX_DEPTH = 4;

/**
 * A team's view of the teams below it: each sub-team's objectives in the cycle with their latest scores,
 * in one read (a team page's heatmap would otherwise take a call per team).
 */
export const teamHeatmapRoutes = resource<GoalsRuntime>("teams", (app, runtime) => {
  app.get(
    "/cycles/:cycleId/teams/:teamId/heatmap",
    {
      schema: {
        summary: `The teams below a team (${MAX_DEPTH} levels) with their objectives' latest scores in the cycle`,
        params: Type.Object({ cycleId: Uuid(), teamId: Uuid() }),
        response: { 200: TeamHeatmapSchema, ...problems(404) },
      },
    },
    async (request) => {
      const { tenantId } = request.principal;
      const { cycleId, teamId } = request.params;
      await findCycle(runtime.db, tenantId, cycleId);
      const team = await runtime.db.team.findFirst({
        where: { id: teamId, tenantId },
        select: { id: true },
      });
      if (!team) throw notFound(`team ${teamId}`);
      const rows = await teamHeatmapRows(runtime.pool, tenantId, cycleId, teamId, MAX_DEPTH);
      const teams = new Map<string, Static<typeof TeamHeatmapSchema>["teams"][number]>();
      for (const row of rows) {
        let entry = teams.get(row.team_id);
        if (!entry) {
          entry = {
            teamId: row.team_id,
            name: row.team_name,
            parentTeamId: row.parent_team_id,
            depth: row.depth,
            objectives: [],
          };
          teams.set(row.team_id, entry);
        }
        if (row.objective_id)
          entry.objectives.push({
            objectiveId: row.objective_id,
            title: row.title ?? "",
            score: row.score,
            band: row.band,
            atRisk: row.at_risk,
          });
      }
      return { cycleId, teamId, teams: [...teams.values()] };
    },
  );
});
