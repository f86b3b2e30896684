import type { SqlRunner } from "@okr/database";

/**
 * Transaction-scoped advisory locks per tenant. A tenant's batches (key results) take BATCH_LOCK; its
 * roll-ups take ROLL_UP_LOCK, so a roll-up runs beside the tenant's next batch but never beside another
 * roll-up of it. A transaction that needs both takes them in this order: batch, then roll-up.
 */
export const BATCH_LOCK = "okr-scoring:";
export const ROLL_UP_LOCK = "okr-scoring-roll-up:";

/** Takes `lock` for each tenant, in tenant order (every transaction locks a set of tenants the same way). */
export const lockTenants = (client: SqlRunner, lock: string, tenants: string[]) =>
  client.query("select pg_advisory_xact_lock(hashtext($1 || t)) from unnest($2::text[]) t order by t", [
    lock,
    tenants,
  ]);
