import { columnsOf, type SqlRunner } from "@okr/database";
import { unprocessable } from "@okr/service-kit";

/** One key result as the goals service last announced it. */
export interface KeyResultFact {
  tenantId: string;
  keyResultId: string;
  objectiveId: string;
  cycleId: string;
  version: number;
  deleted: boolean;
}

/**
 * Applies goals' announcements to the replica, one row per key result. A later version wins; a deletion
 * stays (goals never revives a key result, and announces the deletion under the version it had), so an
 * event redelivered or arriving late changes nothing. Each key result appears once in `facts`.
 */
export async function recordKeyResults(tx: SqlRunner, facts: KeyResultFact[]): Promise<void> {
  if (facts.length === 0) return;
  await tx.query(
    `insert into known_key_results (tenant_id, key_result_id, objective_id, cycle_id, version, deleted)
     select * from unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::int[], $6::boolean[])
     on conflict (tenant_id, key_result_id) do update set
       objective_id = excluded.objective_id,
       cycle_id = excluded.cycle_id,
       version = excluded.version,
       deleted = known_key_results.deleted or excluded.deleted,
       updated_at = now()
     where excluded.version > known_key_results.version
        or (excluded.deleted and not known_key_results.deleted)`,
    columnsOf(facts, (f) => [f.tenantId, f.keyResultId, f.objectiveId, f.cycleId, f.version, f.deleted]),
  );
}

/**
 * The 422 for a key result value-stream does not know in the caller's tenant: another tenant's, a
 * made-up one, a deleted one, or one created a moment ago whose announcement has not arrived yet (the
 * detail says so: the same request may succeed shortly).
 */
export function unknownKeyResult(keyResultId: string, field = "keyResultId") {
  const message = `key result ${keyResultId} is not a key result of this organization known to value-stream (yet): a key result created a moment ago in goals reaches value-stream within moments, so retry shortly; a deleted one cannot be used`;
  return unprocessable("unknown-key-result", message, {
    errors: [{ in: "body", path: `/${field}`, message: "unknown key result" }],
  });
}

/**
 * What a new binding of `keyResultId` needs to know, in one query: whether the tenant has that key result
 * (not deleted), and which binding already holds it.
 */
export async function keyResultForBinding(
  tx: SqlRunner,
  tenantId: string,
  keyResultId: string,
): Promise<{ known: boolean; boundTo: { metric: string; streamId: string } | null }> {
  const {
    rows: [row],
  } = await tx.query<{ known: boolean; metric: string | null; stream_id: string | null }>(
    `select exists (select 1 from known_key_results k
                     where k.tenant_id = $1::uuid and k.key_result_id = $2::uuid and not k.deleted) as known,
            b.metric, b.stream_id
       from (select 1) as one
       left join key_result_bindings b on b.tenant_id = $1::uuid and b.key_result_id = $2::uuid`,
    [tenantId, keyResultId],
  );
  return {
    known: row?.known === true,
    boundTo: row?.metric && row.stream_id ? { metric: row.metric, streamId: row.stream_id } : null,
  };
}

/** Throws the 422 unless the tenant has the key result (not deleted). */
export async function requireKnownKeyResult(
  tx: SqlRunner,
  tenantId: string,
  keyResultId: string,
  field = "keyResultId",
): Promise<void> {
  const { rows } = await tx.query(
    `select 1 from known_key_results
      where tenant_id = $1::uuid and key_result_id = $2::uuid and not deleted`,
    [tenantId, keyResultId],
  );
  if (rows.length === 0) throw unknownKeyResult(keyResultId, field);
}
