import type { SqlRunner } from "@okr/database";

export interface MidCycleReviewRow {
  id: string;
  cycleId: string;
  teamId: string;
  note: string | null;
  heldBy: string;
  heldAt: Date;
}

const COLUMNS = `id::text, cycle_id::text as "cycleId", team_id::text as "teamId", note, held_by as "heldBy", held_at as "heldAt"`;

/**
 * Records the team's mid-cycle review as held, once: when it already is (a repeated or concurrent POST),
 * nothing is written and the first record is answered. A concurrent insert is waited for by the unique
 * key, and the select after it (a new statement, so a new snapshot) sees it.
 */
export async function holdMidCycleReview(
  sql: SqlRunner,
  review: {
    id: string;
    tenantId: string;
    cycleId: string;
    teamId: string;
    note: string | null;
    heldBy: string;
  },
): Promise<{ created: boolean; row: MidCycleReviewRow }> {
  const { id, tenantId, cycleId, teamId, note, heldBy } = review;
  const inserted = await sql.query<MidCycleReviewRow>(
    `insert into mid_cycle_reviews (id, tenant_id, cycle_id, team_id, note, held_by)
     values ($1::uuid, $2::uuid, $3::uuid, $4::uuid, $5, $6)
     on conflict (tenant_id, cycle_id, team_id) do nothing
     returning ${COLUMNS}`,
    [id, tenantId, cycleId, teamId, note, heldBy],
  );
  if (inserted.rows[0]) return { created: true, row: inserted.rows[0] };
  const existing = await sql.query<MidCycleReviewRow>(
    `select ${COLUMNS} from mid_cycle_reviews where tenant_id = $1::uuid and cycle_id = $2::uuid and team_id = $3::uuid`,
    [tenantId, cycleId, teamId],
  );
  return { created: false, row: existing.rows[0] as MidCycleReviewRow };
}
