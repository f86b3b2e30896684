// Live scores as the score routes read them: a key result's or objective's row and an objective's history.
import type { SqlRunner } from "@okr/database";
import type { GradeColour } from "@okr/scoring-rules";

export interface KeyResultRecord {
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

/** The tenant's key result; null when unknown here. */
export async function keyResultRecord(
  db: SqlRunner,
  tenant: string,
  id: string,
): Promise<KeyResultRecord | null> {
  const { rows } = await db.query<KeyResultRecord>(
    `${KEY_RESULT_SELECT} where k.id = $1 and k.tenant_id = $2`,
    [id, tenant],
  );
  return rows[0] ?? null;
}

/** An objective's key results, by id. */
export async function keyResultRecordsOf(
  db: SqlRunner,
  tenant: string,
  objectiveId: string,
): Promise<KeyResultRecord[]> {
  const { rows } = await db.query<KeyResultRecord>(
    `${KEY_RESULT_SELECT} where k.objective_id = $1 and k.tenant_id = $2 order by k.id`,
    [objectiveId, tenant],
  );
  return rows;
}

export interface ObjectiveScoreRecord {
  id: string;
  cycle_id: string;
  title: string;
  kind: "committed" | "aspirational";
  state: string;
  owner_kind: string;
  owner_id: string;
  weight: number;
  own_score: number | null;
  score: number | null;
  grade: number | null;
  band: GradeColour | null;
  confidence: number | null;
  /** Set together with policy_version, by the roll-up that scored the objective. */
  policy_id: string | null;
  policy_version: number | null;
  scored_at: Date | null;
}

/** The tenant's objective with its live score; null when unknown here. */
export async function objectiveScoreRecord(
  db: SqlRunner,
  tenant: string,
  id: string,
): Promise<ObjectiveScoreRecord | null> {
  const { rows } = await db.query<ObjectiveScoreRecord>(
    `select id, cycle_id, title, kind, state, owner_kind, owner_id, weight, own_score, score, grade, band,
            confidence, policy_id, policy_version, scored_at
       from objectives where id = $1 and tenant_id = $2`,
    [id, tenant],
  );
  return rows[0] ?? null;
}

export async function objectiveKnown(db: SqlRunner, tenant: string, id: string): Promise<boolean> {
  const { rows } = await db.query("select 1 from objectives where id = $1 and tenant_id = $2", [id, tenant]);
  return rows.length > 0;
}

export interface ObjectiveScoreHistoryRecord {
  score: number;
  grade: number;
  band: string;
  policy_id: string;
  policy_version: number;
  recorded_at: Date;
}

/** Every score the objective has had, oldest first. */
export async function objectiveScoreHistory(
  db: SqlRunner,
  tenant: string,
  id: string,
): Promise<ObjectiveScoreHistoryRecord[]> {
  const { rows } = await db.query<ObjectiveScoreHistoryRecord>(
    `select score, grade, band, policy_id, policy_version, recorded_at from objective_score_history
      where objective_id = $1 and tenant_id = $2 order by id`,
    [id, tenant],
  );
  return rows;
}
