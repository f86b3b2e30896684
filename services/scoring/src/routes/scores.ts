import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { ScoringPolicy } from "@okr/scoring-rules";
import { IdParams, notFound, problems, Uuid } from "@okr/service-kit";
import { Type } from "typebox";
import { frozenReport } from "../grading.ts";
import { livePolicies } from "../policies.ts";
import type { ScoringRuntime } from "../service.ts";
import { cycleKnown, cycleObjectives, cycleScores, cycleWindow, pace } from "../views.ts";
import {
  CycleParams,
  CycleScoreView,
  KeyResultScoreView,
  ObjectiveScoreView,
  TeamScoreView,
} from "./schemas.ts";

interface KeyResultRecord {
  id: string;
  objective_id: string;
  cycle_id: string;
  type: string;
  progress: number | null;
  score: number | null;
  confidence: number | null;
  confidence_trend: number | null;
  current_value: number | null;
  check_in_count: number;
  last_check_in_at: Date | null;
  weight: number;
  scored_at: Date | null;
  policy_id: string | null;
  policy_version: number | null;
  starts_at: Date | null;
  ends_at: Date | null;
}

/**
 * A key result's row with what a chart needs beside it: its latest check-in's time (the newest of the
 * kept recent check-ins, else from the check-in log), the live policy that scored it (its objective's,
 * scored in the same pass) and its cycle's window (for the pace).
 */
const KEY_RESULT_SELECT = `select k.id, k.objective_id, k.cycle_id, k.type, k.progress, k.score, k.confidence,
    k.confidence_trend, k.current_value, k.check_in_count, k.weight, k.scored_at,
    case when k.check_in_count = 0 then null
         else coalesce(to_timestamp(((k.recent_check_ins -> 0 ->> 1)::bigint) / 1000.0),
                       (select max(c.recorded_at) from check_ins c
                         where c.key_result_id = k.id and c.tenant_id = k.tenant_id)) end as last_check_in_at,
    o.policy_id, o.policy_version, cy.starts_at, cy.ends_at
  from key_results k
  left join objectives o on o.id = k.objective_id and o.tenant_id = k.tenant_id
  left join cycles cy on cy.id = k.cycle_id and cy.tenant_id = k.tenant_id`;

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
export function scoreRoutes(runtime: ScoringRuntime): FastifyPluginAsyncTypebox {
  const { pool } = runtime;
  return async (app) => {
    app.get(
      "/scores/key-results/:id",
      {
        schema: {
          tags: ["scores"],
          summary: "A key result's progress, score and confidence (kept beside the score)",
          params: IdParams,
          response: { 200: KeyResultScoreView, ...problems(404) },
        },
      },
      async (request) => {
        const tenant = request.principal.tenantId;
        const [{ rows }, live] = await Promise.all([
          pool.query<KeyResultRecord>(`${KEY_RESULT_SELECT} where k.id = $1 and k.tenant_id = $2`, [
            request.params.id,
            tenant,
          ]),
          livePolicies(pool, [tenant]),
        ]);
        if (!rows[0]) throw notFound(`key result ${request.params.id}`);
        return keyResultView(rows[0], live.get(tenant)!, Date.now());
      },
    );

    app.get(
      "/scores/objectives/:id",
      {
        schema: {
          tags: ["scores"],
          summary: "An objective's live score, grade and band, its key results, and its frozen final grade",
          params: IdParams,
          response: { 200: ObjectiveScoreView, ...problems(404) },
        },
      },
      async (request) => {
        const tenant = request.principal.tenantId;
        const { rows } = await pool.query(
          `select id, cycle_id, title, kind, state, owner_kind, owner_id, weight, own_score, score, grade, band,
                  confidence, policy_id, policy_version, scored_at
             from objectives where id = $1 and tenant_id = $2`,
          [request.params.id, tenant],
        );
        const row = rows[0];
        if (!row) throw notFound(`objective ${request.params.id}`);
        const [keyResults, cycle, live] = await Promise.all([
          pool.query<KeyResultRecord>(
            `${KEY_RESULT_SELECT} where k.objective_id = $1 and k.tenant_id = $2 order by k.id`,
            [row.id, tenant],
          ),
          pool.query<{ starts_at: Date; ends_at: Date }>(
            "select starts_at, ends_at from cycles where id = $1 and tenant_id = $2",
            [row.cycle_id, tenant],
          ),
          livePolicies(pool, [tenant]),
        ]);
        const now = Date.now();
        const checkIns = keyResults.rows.map((kr) => kr.check_in_count);
        const lastCheckIns = keyResults.rows.flatMap((kr) =>
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
          policy: row.policy_id ? { id: row.policy_id, version: row.policy_version } : null,
          scoredBy:
            row.score !== null && row.policy_id
              ? { policy: row.policy_id, version: row.policy_version }
              : null,
          scoredAt: row.scored_at?.toISOString() ?? null,
          checkInCount: checkIns.reduce((sum, count) => sum + count, 0),
          lastCheckInAt: lastCheckIns.length > 0 ? new Date(Math.max(...lastCheckIns)).toISOString() : null,
          ...pace(
            cycleWindow(cycle.rows[0]?.starts_at ?? null, cycle.rows[0]?.ends_at ?? null),
            row.score,
            now,
          ),
          keyResults: keyResults.rows.map((kr) => keyResultView(kr, live.get(tenant)!, now)),
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
          tags: ["scores"],
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
        const known = await pool.query("select 1 from objectives where id = $1 and tenant_id = $2", [
          request.params.id,
          tenant,
        ]);
        if (known.rows.length === 0) throw notFound(`objective ${request.params.id}`);
        const { rows } = await pool.query(
          `select score, grade, band, policy_id, policy_version, recorded_at from objective_score_history
            where objective_id = $1 and tenant_id = $2 order by id`,
          [request.params.id, tenant],
        );
        return {
          objectiveId: request.params.id,
          items: rows.map((row) => ({
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
          tags: ["scores"],
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
          pool.query<{ name: string }>("select name from teams where id = $1 and tenant_id = $2", [
            teamId,
            tenant,
          ]),
        ]);
        if (!known) throw notFound(`cycle ${cycleId}`);
        const objectives = cycleObjectiveRows.filter((o) => o.owner_kind === "team" && o.owner_id === teamId);
        if (objectives.length === 0 && team.rows.length === 0) throw notFound(`team ${teamId}`);
        const score = cycleScores(objectives).teams.find((t) => t.teamId === teamId);
        return {
          teamId,
          cycleId,
          name: team.rows[0]?.name ?? null,
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
          tags: ["scores"],
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
        const [objectives, cycle, report] = await Promise.all([
          cycleObjectives(pool, tenant, cycleId),
          pool.query<{ phase: string }>("select phase from cycles where id = $1 and tenant_id = $2", [
            cycleId,
            tenant,
          ]),
          frozenReport(pool, tenant, cycleId),
        ]);
        const scores = cycleScores(objectives);
        return {
          cycleId,
          phase: cycle.rows[0]?.phase ?? null,
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
  };
}
