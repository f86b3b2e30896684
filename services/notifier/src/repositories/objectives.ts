import { columnsOf, type SqlRunner } from "@okr/database";

/** An objective's title and owner as goals last announced them. */
export interface ObjectiveFact {
  tenantId: string;
  objectiveId: string;
  title: string;
  owner: { kind: "team" | "person"; id: string };
  version: number;
  removed: boolean;
}

/** Applies objective announcements: a higher version wins; each objective once in `facts`. */
export async function recordObjectives(tx: SqlRunner, facts: ObjectiveFact[]): Promise<void> {
  if (facts.length === 0) return;
  await tx.query(
    `insert into objective_owners (tenant_id, objective_id, title, owner_kind, owner_id, version, removed)
     select * from unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::uuid[], $6::int[], $7::boolean[])
     on conflict (tenant_id, objective_id) do update set
       title = excluded.title, owner_kind = excluded.owner_kind, owner_id = excluded.owner_id,
       version = excluded.version, removed = excluded.removed
     where excluded.version > objective_owners.version`,
    columnsOf(facts, (f) => [
      f.tenantId,
      f.objectiveId,
      f.title,
      f.owner.kind,
      f.owner.id,
      f.version,
      f.removed,
    ]),
  );
}

/** An objective's title and owner, or undefined when unknown or removed. */
export async function knownObjective(
  tx: SqlRunner,
  tenantId: string,
  objectiveId: string,
): Promise<{ title: string; owner: { kind: "team" | "person"; id: string } } | undefined> {
  const { rows } = await tx.query<{ title: string; owner_kind: "team" | "person"; owner_id: string }>(
    `select title, owner_kind, owner_id from objective_owners
      where tenant_id = $1 and objective_id = $2 and not removed`,
    [tenantId, objectiveId],
  );
  const row = rows[0];
  return row ? { title: row.title, owner: { kind: row.owner_kind, id: row.owner_id } } : undefined;
}
