import { keyResultMeasure } from "@okr/goals-domain";
import type { GoalsDb, GoalsTx } from "../database.ts";
import type { Prisma } from "../generated/prisma/client.ts";

type Db = GoalsDb | GoalsTx;
type ObjectiveRow = Prisma.ObjectiveGetPayload<{ include: { keyResults: true } }>;
type KeyResultRow = ObjectiveRow["keyResults"][number];
type KeyResultScoreRow = { score: number; progress: number; confidence: number | null; asOf: Date };
type ObjectiveScoreRow = { score: number; grade: number; band: string; atRisk: boolean; asOf: Date };

export const keyResultsInOrder = { keyResults: { orderBy: { id: "asc" } } } as const;

export function presentKeyResult(
  kr: KeyResultRow,
  objective: { ownerKind: string; ownerId: string },
  score?: KeyResultScoreRow,
) {
  return {
    id: kr.id,
    objectiveId: kr.objectiveId,
    cycleId: kr.cycleId,
    ...keyResultMeasure(kr),
    owner: { kind: kr.ownerKind ?? objective.ownerKind, id: kr.ownerId ?? objective.ownerId },
    evidence: { kind: kr.evidenceKind, description: kr.evidenceDescription },
    carriedFromKeyResultId: kr.carriedFromKeyResultId,
    lastCheckInAt: kr.lastCheckInAt?.toISOString() ?? null,
    latestValue: kr.latestValue,
    latestConfidence: kr.latestConfidence,
    milestonesDone: kr.milestonesDone,
    score: score?.score ?? null,
    progress: score?.progress ?? null,
    version: kr.version,
  };
}

export type KeyResultView = ReturnType<typeof presentKeyResult>;

export function presentObjective(
  row: ObjectiveRow,
  scores: { objective?: ObjectiveScoreRow; keyResults: Map<string, KeyResultScoreRow> },
) {
  return {
    id: row.id,
    cycleId: row.cycleId,
    title: row.title,
    description: row.description,
    kind: row.kind,
    state: row.state,
    owner: { kind: row.ownerKind, id: row.ownerId },
    weight: row.weight,
    alignedToObjectiveId: row.alignedToObjectiveId,
    contributesToKeyResultId: row.contributesToKeyResultId,
    returnReason: row.returnReason,
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    keyResults: row.keyResults.map((kr) => presentKeyResult(kr, row, scores.keyResults.get(kr.id))),
    score: scores.objective?.score ?? null,
    grade: scores.objective?.grade ?? null,
    band: scores.objective?.band ?? null,
    atRisk: scores.objective?.atRisk ?? null,
    scoredAt: scores.objective?.asOf.toISOString() ?? null,
  };
}

export type ObjectiveView = ReturnType<typeof presentObjective>;

/** Objectives with their key results and the latest scores the scoring service published for them. */
export async function viewObjectives(
  db: Db,
  tenantId: string,
  rows: ObjectiveRow[],
): Promise<ObjectiveView[]> {
  if (rows.length === 0) return [];
  const [objectiveScores, keyResultScores] = await Promise.all([
    db.objectiveScore.findMany({ where: { tenantId, objectiveId: { in: rows.map((r) => r.id) } } }),
    db.keyResultScore.findMany({
      where: { tenantId, keyResultId: { in: rows.flatMap((r) => r.keyResults.map((kr) => kr.id)) } },
    }),
  ]);
  const byObjective = new Map(objectiveScores.map((s) => [s.objectiveId, s] as const));
  const byKeyResult = new Map(keyResultScores.map((s) => [s.keyResultId, s] as const));
  return rows.map((row) =>
    presentObjective(row, { objective: byObjective.get(row.id), keyResults: byKeyResult }),
  );
}

export async function viewObjective(
  db: Db,
  tenantId: string,
  id: string,
): Promise<ObjectiveView | undefined> {
  const row = await db.objective.findFirst({ where: { id, tenantId }, include: keyResultsInOrder });
  if (!row) return undefined;
  return (await viewObjectives(db, tenantId, [row]))[0];
}
