import { columnsOf, type SqlRunner } from "@okr/database";

/** One objective score as scoring announced it (okr.objective.scored.v1). */
export interface ScoreFact {
  tenantId: string;
  objectiveId: string;
  asOf: string;
  score: number;
  atRisk: boolean;
}

/** Keeps each score under its asOf: a repeated event changes nothing, an older one fills in history. */
export async function recordScores(tx: SqlRunner, facts: ScoreFact[]): Promise<void> {
  if (facts.length === 0) return;
  await tx.query(
    `insert into objective_scores (tenant_id, objective_id, as_of, score, at_risk)
     select * from unnest($1::uuid[], $2::uuid[], $3::timestamptz[], $4::float8[], $5::boolean[])
     on conflict (tenant_id, objective_id, as_of) do nothing`,
    columnsOf(facts, (f) => [f.tenantId, f.objectiveId, f.asOf, f.score, f.atRisk]),
  );
}

/** A person's check-in (okr.check-in.recorded.v1); only the latest time per person is kept. */
export interface CheckInFact {
  tenantId: string;
  personId: string;
  recordedAt: string;
}

export async function recordCheckIns(tx: SqlRunner, facts: CheckInFact[]): Promise<void> {
  if (facts.length === 0) return;
  await tx.query(
    `insert into check_ins (tenant_id, person_id, last_at)
     select * from unnest($1::uuid[], $2::uuid[], $3::timestamptz[])
     on conflict (tenant_id, person_id) do update set last_at = greatest(check_ins.last_at, excluded.last_at)`,
    columnsOf(facts, (f) => [f.tenantId, f.personId, f.recordedAt]),
  );
}
