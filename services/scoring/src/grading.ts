import type { SqlRunner } from "@okr/database";
import { CycleGraded, type EventData } from "@okr/events";
import { publishEvent } from "@okr/messaging";
import { policyFingerprint, type ScoringPolicy } from "@okr/scoring-rules";
import { type CycleSnapshot, scoreCycle } from "./recompute.ts";

/** The frozen final grades of a cycle: what the cycle workflow's retrospective reads. */
export interface CycleReport {
  cycleId: string;
  policy: { id: string; version: number };
  organizationScore: number;
  objectives: {
    objectiveId: string;
    kind: "committed" | "aspirational";
    owner: { kind: "team" | "person"; id: string };
    score: number;
    grade: number;
    band: "red" | "yellow" | "green";
    expectationMet: boolean;
    keyResults: { keyResultId: string; progress: number; score: number; confidence: number | null }[];
  }[];
  teams: { teamId: string; score: number }[];
  checkInDiscipline: { keyResults: number; withCheckIns: number; checkInsTotal: number };
  gradedAt: string;
  complete: boolean;
  /** The admin who forced grading before the cycle reached SCORING; null for a regular grading. */
  forcedBy?: string | null;
}

/**
 * Grades a cycle from scratch under `policy` at `gradedAt` (check-ins recorded later do not count):
 * the same check-ins under the same policy always give the same report.
 */
export function gradeCycle(snapshot: CycleSnapshot, policy: ScoringPolicy, gradedAt: Date): CycleReport {
  const result = scoreCycle(snapshot, policy, gradedAt.getTime());
  const ownerOf = new Map(
    snapshot.objectives.map((row) => [row.id, { kind: row.owner_kind, id: row.owner_id }]),
  );
  const keyResultsOf = new Map<string, CycleReport["objectives"][number]["keyResults"]>();
  for (const row of [...snapshot.keyResults].sort((a, b) => a.id.localeCompare(b.id))) {
    const score = result.keyResults.get(row.id);
    if (!score) continue;
    const list = keyResultsOf.get(row.objective_id) ?? [];
    list.push({
      keyResultId: row.id,
      progress: score.progress,
      score: score.score,
      confidence: score.confidence,
    });
    keyResultsOf.set(row.objective_id, list);
  }
  const objectives = [...result.objectives.values()]
    .sort((a, b) => a.objectiveId.localeCompare(b.objectiveId))
    .map((objective) => ({
      objectiveId: objective.objectiveId,
      kind: objective.kind,
      owner: ownerOf.get(objective.objectiveId)!,
      score: objective.score,
      grade: objective.grade,
      band: objective.colour,
      expectationMet: objective.verdict === "met",
      keyResults: keyResultsOf.get(objective.objectiveId) ?? [],
    }));
  const teams = [...result.teams.values()]
    .filter((team) => team.teamId.startsWith("team:"))
    .map((team) => ({ teamId: team.teamId.slice("team:".length), score: team.score }))
    .sort((a, b) => a.teamId.localeCompare(b.teamId));
  const asOf = gradedAt.getTime();
  const counted = snapshot.keyResults.map(
    (row) => row.checkIns.filter((checkIn) => checkIn.recorded_at.getTime() <= asOf).length,
  );
  return {
    cycleId: snapshot.cycleId,
    policy: { id: policy.id, version: policy.version },
    organizationScore: result.organization?.score ?? 0,
    objectives,
    teams,
    checkInDiscipline: {
      keyResults: counted.length,
      withCheckIns: counted.filter((count) => count > 0).length,
      checkInsTotal: counted.reduce((sum, count) => sum + count, 0),
    },
    gradedAt: gradedAt.toISOString(),
    complete: counted.every((count) => count > 0),
  };
}

/**
 * Freezes the report unless the cycle was graded before, publishing okr.cycle.graded.v1 only with the
 * first freeze. Returns the frozen report (the earlier one on a repeat call).
 */
export async function freezeGrades(
  tx: SqlRunner,
  tenant: string,
  report: CycleReport,
  policy: ScoringPolicy,
): Promise<{ report: CycleReport; frozenNow: boolean }> {
  const { rows } = await tx.query<{ cycle_id: string }>(
    `insert into cycle_gradings (cycle_id, tenant_id, policy_id, policy_version, policy_fingerprint, report, graded_at)
     values ($1, $2, $3, $4, $5, $6, $7) on conflict (cycle_id) do nothing returning cycle_id`,
    [
      report.cycleId,
      tenant,
      policy.id,
      policy.version,
      policyFingerprint(policy),
      JSON.stringify(report),
      report.gradedAt,
    ],
  );
  if (rows.length === 0) {
    const frozen = await frozenReport(tx, tenant, report.cycleId);
    if (!frozen) throw new Error(`cycle ${report.cycleId} is graded under another tenant`);
    return { report: frozen, frozenNow: false };
  }
  const data: EventData<typeof CycleGraded> = {
    cycleId: report.cycleId,
    organizationScore: report.organizationScore,
    objectivesGraded: report.objectives.length,
    policy: report.policy,
    gradedAt: report.gradedAt,
  };
  await publishEvent(tx, CycleGraded, data, { tenant });
  return { report, frozenNow: true };
}

export async function frozenReport(
  client: SqlRunner,
  tenant: string,
  cycleId: string,
): Promise<CycleReport | null> {
  const { rows } = await client.query<{ report: CycleReport }>(
    "select report from cycle_gradings where cycle_id = $1 and tenant_id = $2",
    [cycleId, tenant],
  );
  return rows[0]?.report ?? null;
}
