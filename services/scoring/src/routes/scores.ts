import type { ScoringPolicy } from "@okr/scoring-rules";
import { IdParams, notFound, problems, resource, Uuid } from "@okr/service-kit";
import { Type } from "typebox";
import { frozenReport } from "../grading.ts";
import { livePolicies } from "../policies.ts";
import { cycleDates, cyclePhase, teamName } from "../repositories/cycles.ts";
import {
  type KeyResultRecord,
  keyResultRecord,
  keyResultRecordsOf,
  objectiveKnown,
  objectiveScoreHistory,
  objectiveScoreRecord,
} from "../repositories/scores.ts";
import type { ScoringRuntime } from "../service.ts";
import { cycleKnown, cycleObjectives, cycleScores, cycleWindow, pace } from "../views.ts";
import {
  CycleParams,
  CycleScoreView,
  KeyResultScoreView,
  ObjectiveScoreView,
  TeamScoreView,
} from "./schemas.ts";

/**
 * Every live score is produced by the tenant's live policy (writing it re-scores the tenant in the same
 * transaction); a KR's objective records the version, and a KR scored before its objective was uses the live one.
 */
const keyResultView = (row: KeyResultRecord, live: ScoringPolicy, now: number) => ({
  keyResultId: row.id,
  objectiveId: row.objective_id,
  cycleId: row.cycle_id,
  type: row.type,
  progress: row.progress,
  score: row.score,
  confidence: row.confidence,
  confidenceTrend: row.confidence_trend,
  currentValue: row.current_value,
  checkInCount: row.check_in_count,
  lastCheckInAt: row.last_check_in_at?.toISOString() ?? null,
  weight: row.weight,
  scoredAt: row.scored_at?.toISOString() ?? null,
  scoredBy:
    row.score === null
      ? null
      : row.policy_id !== null
        ? { policy: row.policy_id, version: row.policy_version! }
        : { policy: live.id, version: live.version },
  ...pace(cycleWindow(row.starts_at, row.ends_at), row.score, now),
});

/** Live scores of key results, objectives, teams and cycles, and objective score history. */
export const scoreRoutes = resource<ScoringRuntime>("scores", (app, { pool }) => {
  app.get(
    "/scores/key-results/:id",
    {
      schema: {
        summary: "A key result's progress, score and confidence (kept beside the score)",
        params: IdParams,
        response: { 200: KeyResultScoreView, ...problems(404) },
      },
    },
    async (request) => {
      const tenant = request.principal.tenantId;
      const [record, live] = await Promise.all([
        keyResultRecord(pool, tenant, request.params.id),
        livePolicies(pool, [tenant]),
      ]);
      if (!record) throw notFound(`key result ${request.params.id}`);
      return keyResultView(record, live.get(tenant)!, Date.now());
    },
  );

  app.get(
    "/scores/objectives/:id",
    {
      schema: {
        summary: "An objective's live score, grade and band, its key results, and its frozen final grade",
        params: IdParams,
        response: { 200: ObjectiveScoreView, ...problems(404) },
      },
    },
    async (request) => {
      const tenant = request.principal.tenantId;
      const row = await objectiveScoreRecord(pool, tenant, request.params.id);
      if (!row) throw notFound(`objective ${request.params.id}`);
      const [keyResults, cycle, live] = await Promise.all([
        keyResultRecordsOf(pool, tenant, row.id),
        cycleDates(pool, tenant, row.cycle_id),
        livePolicies(pool, [tenant]),
      ]);
      const now = Date.now();
      const checkIns = keyResults.map((kr) => kr.check_in_count);
      const lastCheckIns = keyResults.flatMap((kr) =>
        kr.last_check_in_at ? [kr.last_check_in_at.getTime()] : [],
      );
      const final = (await frozenReport(pool, tenant, row.cycle_id))?.objectives.find(
        (objective) => objective.objectiveId === row.id,
      );
      return {
        objectiveId: row.id,
        cycleId: row.cycle_id,
        title: row.title,
        kind: row.kind,
        state: row.state,
        owner: { kind: row.owner_kind, id: row.owner_id },
        weight: row.weight,
        ownScore: row.own_score,
        score: row.score,
        grade: row.grade,
        band: row.band,
        confidence: row.confidence,
        policy: row.policy_id ? { id: row.policy_id, version: row.policy_version! } : null,
        scoredBy:
          row.score !== null && row.policy_id
            ? { policy: row.policy_id, version: row.policy_version! }
            : null,
        scoredAt: row.scored_at?.toISOString() ?? null,
        checkInCount: checkIns.reduce((sum, count) => sum + count, 0),
        lastCheckInAt: lastCheckIns.length > 0 ? new Date(Math.max(...lastCheckIns)).toISOString() : null,
        ...pace(cycleWindow(cycle?.starts_at ?? null, cycle?.ends_at ?? null), row.score, now),
        keyResults: keyResults.map((kr) => keyResultView(kr, live.get(tenant)!, now)),
        finalGrade: final
          ? {
              score: final.score,
              grade: final.grade,
              band: final.band,
              expectationMet: final.expectationMet,
            }
          : null,
      };
    },
  );

  app.get(
    "/scores/objectives/:id/history",
    {
      schema: {
        summary: "Every score an objective has had, oldest first",
        params: IdParams,
        response: {
          200: Type.Object({
            objectiveId: Type.String(),
            items: Type.Array(
              Type.Object({
                score: Type.Number(),
                grade: Type.Number(),
                band: Type.String(),
                policy: Type.Object({ id: Type.String(), version: Type.Integer() }),
                recordedAt: Type.String({ format: "date-time" }),
              }),
            ),
          }),
          ...problems(404),
        },
      },
    },
    async (request) => {
      const tenant = request.principal.tenantId;
      if (!(await objectiveKnown(pool, tenant, request.params.id)))
        throw notFound(`objective ${request.params.id}`);
      const history = await objectiveScoreHistory(pool, tenant, request.params.id);
      return {
        objectiveId: request.params.id,
        items: history.map((row) => ({
          score: row.score,
          grade: row.grade,
          band: row.band,
          policy: { id: row.policy_id, version: row.policy_version },
          recordedAt: row.recorded_at.toISOString(),
        })),
      };
    },
  );

  app.get(
    "/scores/teams/:teamId",
    {
      schema: {
        summary: "A team's score in a cycle: weighted mean of the objectives it owns",
        params: Type.Object({ teamId: Uuid() }),
        querystring: Type.Object({ cycleId: Uuid() }, { additionalProperties: false }),
        response: { 200: TeamScoreView, ...problems(400, 404) },
      },
    },
    async (request) => {
      const tenant = request.principal.tenantId;
      const { teamId } = request.params;
      const { cycleId } = request.query;
      const [known, cycleObjectiveRows, team] = await Promise.all([
        cycleKnown(pool, tenant, cycleId),
        cycleObjectives(pool, tenant, cycleId),
        teamName(pool, tenant, teamId),
      ]);
      if (!known) throw notFound(`cycle ${cycleId}`);
      const objectives = cycleObjectiveRows.filter((o) => o.owner_kind === "team" && o.owner_id === teamId);
      if (objectives.length === 0 && team === null) throw notFound(`team ${teamId}`);
      const score = cycleScores(objectives).teams.find((t) => t.teamId === teamId);
      return {
        teamId,
        cycleId,
        name: team,
        score: score?.score ?? null,
        grade: score?.grade ?? null,
        band: score?.band ?? null,
        objectives: objectives.map((o) => ({
          objectiveId: o.id,
          title: o.title,
          score: o.score,
          weight: o.weight,
        })),
      };
    },
  );

  app.get(
    "/scores/cycles/:cycleId",
    {
      schema: {
        summary:
          "A cycle's organization score (top-level objectives) and team scores; final grades once frozen",
        params: CycleParams,
        response: { 200: CycleScoreView, ...problems(404) },
      },
    },
    async (request) => {
      const tenant = request.principal.tenantId;
      const { cycleId } = request.params;
      if (!(await cycleKnown(pool, tenant, cycleId))) throw notFound(`cycle ${cycleId}`);
      const [objectives, phase, report] = await Promise.all([
        cycleObjectives(pool, tenant, cycleId),
        cyclePhase(pool, tenant, cycleId),
        frozenReport(pool, tenant, cycleId),
      ]);
      const scores = cycleScores(objectives);
      return {
        cycleId,
        phase,
        organization: scores.organization,
        teams: scores.teams,
        objectivesScored: scores.objectivesScored,
        objectivesUnscored: scores.objectivesUnscored,
        graded: report
          ? {
              organizationScore: report.organizationScore,
              policy: report.policy,
              gradedAt: report.gradedAt,
            }
          : null,
      };
    },
  );
});
