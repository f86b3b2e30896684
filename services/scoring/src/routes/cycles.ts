import { pgTransaction } from "@okr/messaging";
import { conflict, notFound, problems, requireRole, resource, Uuid } from "@okr/service-kit";
import { Type } from "typebox";
import { freezeGrades, frozenReport, gradeCycle } from "../grading.ts";
import { findPolicy, livePolicies } from "../policies.ts";
import { loadCycle } from "../recompute.ts";
import { cycleDates, cyclePhase, teamNames } from "../repositories/cycles.ts";
import type { ScoringRuntime } from "../service.ts";
import { atRisk, cycleKnown, cycleObjectives, heatmap } from "../views.ts";
import { Band, CycleParams, CycleReportView } from "./schemas.ts";

/**
 * Final grades freeze what the check-ins say, so a cycle is graded only once goals locked its key results
 * (SCORING or later, as scoring learned from okr.cycle.phase-changed.v1). An admin may force an earlier
 * grading; the report keeps who did. Returns the forcing admin, or null when the phase allows grading.
 */
async function gradingOverride(
  pool: ScoringRuntime["pool"],
  request: Parameters<typeof requireRole>[0] & { body: { force?: boolean } },
  cycleId: string,
): Promise<string | null> {
  const tenant = request.principal.tenantId;
  const phase = await cyclePhase(pool, tenant, cycleId);
  if (phase !== null && GRADABLE_PHASES.has(phase)) return null;
  if (request.body.force) {
    requireRole(request, "admin");
    return request.principal.subject;
  }
  throw conflict(
    "cycle-not-in-scoring",
    `the cycle is in ${phase ?? "an unknown phase"}; final grades are frozen once it reached SCORING ` +
      "(an admin may force an earlier grading with force: true)",
  );
}

const GRADABLE_PHASES = new Set(["SCORING", "RETROSPECTIVE", "CLOSED"]);

/** Cycle-level views (heatmap, at-risk) and the final grading the cycle workflow calls. */
export const cycleRoutes = resource<ScoringRuntime>("scores", (app, { pool }) => {
  app.post(
    "/cycles/:cycleId/final-grading",
    {
      schema: {
        tags: ["grading"],
        summary: "Freeze the cycle's final grades under a policy and return the cycle report (idempotent)",
        description:
          "Grades every objective from its whole check-in history under the named policy (the tenant's live " +
          "'default' when omitted), freezes the result and publishes okr.cycle.graded.v1 once. A repeat call " +
          "returns the frozen report unchanged. With onlyIfComplete, an incomplete grading (a key result " +
          "without any check-in) is returned provisionally (frozen: false) and nothing is frozen, so the " +
          "cycle workflow can wait for late check-ins until its scoring deadline. A cycle is graded only once " +
          "it reached SCORING (its key results are locked, so no check-in lands after the freeze); before " +
          "that the answer is 409 cycle-not-in-scoring, unless an admin sends force: true.",
        params: CycleParams,
        body: Type.Object(
          {
            policyId: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
            onlyIfComplete: Type.Optional(
              Type.Boolean({
                description: "freeze only a complete grading; otherwise answer provisionally",
              }),
            ),
            expectedKeyResultIds: Type.Optional(
              Type.Array(Uuid(), {
                maxItems: 10_000,
                description:
                  "with onlyIfComplete: the key results the caller (the cycle workflow, from goals) knows the " +
                  "cycle holds; a grading that lacks any of them is incomplete, since scoring has not caught " +
                  "up with goals yet",
              }),
            ),
            force: Type.Optional(
              Type.Boolean({
                description:
                  "admins only: grade a cycle that has not reached SCORING; the report records who forced it",
              }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: CycleReportView, ...problems(400, 403, 404, 409) },
      },
      // A caller may POST without a body: it means "the live policy".
      config: { optionalBody: true },
    },
    async (request) => {
      requireRole(request, "admin", "service");
      const tenant = request.principal.tenantId;
      const { cycleId } = request.params;
      const requested = request.body.policyId;
      const frozen = await frozenReport(pool, tenant, cycleId);
      if (frozen) return { ...frozen, frozen: true };
      const policy = await findPolicy(pool, tenant, requested ?? "default");
      if (!policy) throw notFound(`scoring policy ${requested}`);
      const snapshot = await loadCycle(pool, tenant, cycleId);
      if (!snapshot) throw notFound(`cycle ${cycleId}`);
      const forcedBy = await gradingOverride(pool, request, cycleId);
      const report = { ...gradeCycle(snapshot, policy, new Date()), forcedBy };
      if (request.body.onlyIfComplete) {
        const known = new Set(snapshot.keyResults.map((kr) => kr.id));
        const caughtUp = (request.body.expectedKeyResultIds ?? []).every((id) => known.has(id));
        if (!report.complete || !caughtUp) return { ...report, complete: false, frozen: false };
      }
      const result = await pgTransaction(pool, (tx) => freezeGrades(tx, tenant, report, policy));
      return { ...result.report, frozen: true };
    },
  );

  app.get(
    "/cycles/:cycleId/at-risk",
    {
      schema: {
        summary: "Objectives behind the cycle's pace or with low confidence, lowest score first",
        params: CycleParams,
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                objectiveId: Type.String(),
                title: Type.String(),
                score: Type.Number(),
                expected: Type.Number(),
                confidence: Type.Union([Type.Number(), Type.Null()]),
                reasons: Type.Array(Type.String()),
              }),
            ),
          }),
          ...problems(404),
        },
      },
    },
    async (request) => {
      const tenant = request.principal.tenantId;
      const { cycleId } = request.params;
      if (!(await cycleKnown(pool, tenant, cycleId))) throw notFound(`cycle ${cycleId}`);
      const [objectives, cycle, policies] = await Promise.all([
        cycleObjectives(pool, tenant, cycleId),
        cycleDates(pool, tenant, cycleId),
        livePolicies(pool, [tenant]),
      ]);
      const window =
        cycle && cycle.ends_at > cycle.starts_at
          ? { start: cycle.starts_at.getTime(), end: cycle.ends_at.getTime() }
          : null;
      return { items: atRisk(objectives, window, policies.get(tenant)!, Date.now()) };
    },
  );

  app.get(
    "/cycles/:cycleId/heatmap",
    {
      schema: {
        summary: "Organization heatmap: each team's score on each top-level objective it contributes to",
        params: CycleParams,
        response: {
          200: Type.Object({
            cycleId: Type.String(),
            objectives: Type.Array(
              Type.Object({
                objectiveId: Type.String(),
                title: Type.String(),
                score: Type.Number(),
                grade: Type.Number(),
                band: Band,
              }),
            ),
            teams: Type.Array(
              Type.Object({
                teamId: Type.String(),
                name: Type.Union([Type.String(), Type.Null()]),
                score: Type.Number(),
                grade: Type.Number(),
                band: Band,
                cells: Type.Array(
                  Type.Object({
                    objectiveId: Type.String(),
                    objectiveCount: Type.Integer(),
                    score: Type.Number(),
                    grade: Type.Number(),
                    band: Band,
                  }),
                ),
              }),
            ),
          }),
          ...problems(404),
        },
      },
    },
    async (request) => {
      const tenant = request.principal.tenantId;
      const { cycleId } = request.params;
      if (!(await cycleKnown(pool, tenant, cycleId))) throw notFound(`cycle ${cycleId}`);
      const [objectives, teams] = await Promise.all([
        cycleObjectives(pool, tenant, cycleId),
        teamNames(pool, tenant),
      ]);
      return { cycleId, ...heatmap(objectives, teams) };
    },
  );
});
