import type { SqlRunner } from "@okr/database";
import type { PersonSettings, TenantSettings } from "../rules/preferences.ts";

/** A person's own settings ({} when they chose nothing), the tenant's defaults, and goals' zone for them. */
export interface StoredPreferences {
  own: PersonSettings;
  tenant: TenantSettings;
  replicaZone: string | null;
}

export async function loadPreferences(
  tx: SqlRunner,
  tenantId: string,
  personId: string,
): Promise<StoredPreferences> {
  const { rows } = await tx.query<{
    own: PersonSettings | null;
    tenant: TenantSettings | null;
    zone: string | null;
  }>(
    `select (select settings from preferences where tenant_id = $1 and person_id = $2) as own,
            (select settings from tenant_preferences where tenant_id = $1) as tenant,
            (select time_zone from people where tenant_id = $1 and person_id = $2) as zone`,
    [tenantId, personId],
  );
  const row = rows[0];
  return { own: row?.own ?? {}, tenant: row?.tenant ?? {}, replicaZone: row?.zone ?? null };
}

export async function loadTenantSettings(tx: SqlRunner, tenantId: string): Promise<TenantSettings> {
  const { rows } = await tx.query<{ settings: TenantSettings }>(
    "select settings from tenant_preferences where tenant_id = $1",
    [tenantId],
  );
  return rows[0]?.settings ?? {};
}

/** Stores a person's settings whole; answers the ones they replace ({} if none), read under the row lock. */
export async function savePersonSettings(
  tx: SqlRunner,
  tenantId: string,
  personId: string,
  settings: PersonSettings,
): Promise<PersonSettings> {
  const { rows } = await tx.query<{ settings: PersonSettings }>(
    "select settings from preferences where tenant_id = $1 and person_id = $2 for update",
    [tenantId, personId],
  );
  await tx.query(
    `insert into preferences (tenant_id, person_id, settings) values ($1, $2, $3)
     on conflict (tenant_id, person_id) do update set settings = excluded.settings, updated_at = now()`,
    [tenantId, personId, JSON.stringify(settings)],
  );
  return rows[0]?.settings ?? {};
}

export async function saveTenantSettings(tx: SqlRunner, tenantId: string, settings: TenantSettings) {
  await tx.query(
    `insert into tenant_preferences (tenant_id, settings) values ($1, $2)
     on conflict (tenant_id) do update set settings = excluded.settings, updated_at = now()`,
    [tenantId, JSON.stringify(settings)],
  );
}

/**
 * Makes the emails waiting on preferences (deferred for quiet hours or out of office, held for a
 * digest) of a person, or of the whole tenant when `personId` is null, due now: the sender decides
 * again under the new preferences, so a shortened absence or a switch back to immediate mail takes
 * effect at once.
 */
export async function releaseWaiting(tx: SqlRunner, tenantId: string, personId: string | null) {
  await tx.query(
    `update deliveries set state = 'pending', next_attempt_at = date_trunc('milliseconds', now())
      where tenant_id = $1 and ($2::uuid is null or recipient_id = $2) and channel = 'email'
        and (state = 'held' or (state = 'pending' and deferred_reason is not null))`,
    [tenantId, personId],
  );
}
