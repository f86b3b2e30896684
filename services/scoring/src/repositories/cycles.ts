// The read model's cycles and teams as the routes read them (the scorer keeps them current).
import type { SqlRunner } from "@okr/database";

/** The cycle's phase as scoring last learned it from goals; null when the cycle is unknown here. */
export async function cyclePhase(db: SqlRunner, tenant: string, cycleId: string): Promise<string | null> {
  const { rows } = await db.query<{ phase: string }>(
    "select phase from cycles where id = $1 and tenant_id = $2",
    [cycleId, tenant],
  );
  return rows[0]?.phase ?? null;
}

/** The cycle's start and end as stored (null when the cycle is unknown here). */
export async function cycleDates(
  db: SqlRunner,
  tenant: string,
  cycleId: string,
): Promise<{ starts_at: Date; ends_at: Date } | null> {
  const { rows } = await db.query<{ starts_at: Date; ends_at: Date }>(
    "select starts_at, ends_at from cycles where id = $1 and tenant_id = $2",
    [cycleId, tenant],
  );
  return rows[0] ?? null;
}

/** Every team of the tenant by id, with its name. */
export async function teamNames(db: SqlRunner, tenant: string): Promise<Map<string, string>> {
  const { rows } = await db.query<{ id: string; name: string }>(
    "select id, name from teams where tenant_id = $1",
    [tenant],
  );
  return new Map(rows.map((team) => [team.id, team.name]));
}

/** A team's name; null when the team is unknown here. */
export async function teamName(db: SqlRunner, tenant: string, teamId: string): Promise<string | null> {
  const { rows } = await db.query<{ name: string }>(
    "select name from teams where id = $1 and tenant_id = $2",
    [teamId, tenant],
  );
  return rows[0]?.name ?? null;
}
