import type { SqlRunner } from "@okr/database";
import {
  type AlignmentLink,
  type KeyResultInput,
  type ObjectiveInput,
  type OrganizationScore,
  type ScoringPolicy,
  scoreOrganization,
} from "@okr/scoring-rules";
import { type CheckInRow, checkInOf, type KeyResultRow, keyResultDefinition } from "./model.ts";

/** Everything the read model knows about one cycle of one tenant. */
export interface CycleSnapshot {
  cycleId: string;
  window: { start: number; end: number } | null;
  objectives: ObjectiveRow[];
  keyResults: (KeyResultRow & { objective_id: string; weight: number; checkIns: CheckInRow[] })[];
}

export interface ObjectiveRow {
  id: string;
  title: string;
  kind: "committed" | "aspirational";
  owner_kind: "team" | "person";
  owner_id: string;
  weight: number;
  aligned_to_objective_id: string | null;
  contributes_to_key_result_id: string | null;
}

/** Loads a cycle's objectives, KRs and every check-in; null when the read model has never heard of it. */
export async function loadCycle(
  db: SqlRunner,
  tenant: string,
  cycleId: string,
): Promise<CycleSnapshot | null> {
  const [cycles, objectives, keyResults, checkIns] = await Promise.all([
    db.query<{ starts_at: Date; ends_at: Date }>(
      "select starts_at, ends_at from cycles where id = $1 and tenant_id = $2",
      [cycleId, tenant],
    ),
    db.query<ObjectiveRow>(
      `select id, title, kind, owner_kind, owner_id, weight, aligned_to_objective_id, contributes_to_key_result_id
         from objectives where tenant_id = $1 and cycle_id = $2`,
      [tenant, cycleId],
    ),
    db.query<KeyResultRow & { objective_id: string; weight: number }>(
      `select id, objective_id, type, baseline, target, band_low, band_high, milestones, weight
         from key_results where tenant_id = $1 and cycle_id = $2`,
      [tenant, cycleId],
    ),
    db.query<CheckInRow & { key_result_id: string }>(
      `select c.key_result_id, c.id, c.value, c.milestones_done, c.confidence, c.recorded_at
         from check_ins c join key_results k on k.id = c.key_result_id and k.tenant_id = c.tenant_id
        where k.tenant_id = $1 and k.cycle_id = $2`,
      [tenant, cycleId],
    ),
  ]);
  const cycle = cycles.rows[0];
  if (!cycle && objectives.rows.length === 0 && keyResults.rows.length === 0) return null;
  const checkInsOf = new Map<string, CheckInRow[]>();
  for (const row of checkIns.rows) {
    const list = checkInsOf.get(row.key_result_id);
    if (list) list.push(row);
    else checkInsOf.set(row.key_result_id, [row]);
  }
  return {
    cycleId,
    window:
      cycle && cycle.ends_at.getTime() > cycle.starts_at.getTime()
        ? { start: cycle.starts_at.getTime(), end: cycle.ends_at.getTime() }
        : null,
    objectives: objectives.rows,
    keyResults: keyResults.rows.map((row) => ({ ...row, checkIns: checkInsOf.get(row.id) ?? [] })),
  };
}

/** The grouping key scoring-rules uses for an objective's owner ("team:<id>" or "person:<id>"). */
export const ownerKey = (row: Pick<ObjectiveRow, "owner_kind" | "owner_id">) =>
  `${row.owner_kind}:${row.owner_id}`;

/**
 * Scores a cycle from scratch under a policy, exactly as the incremental path does: objectives with at
 * least one key result take part; links count only between two of those (of the same cycle).
 */
export function scoreCycle(snapshot: CycleSnapshot, policy: ScoringPolicy, asOf: number): OrganizationScore {
  const known = new Map(snapshot.objectives.map((row) => [row.id, row]));
  const keyResults: KeyResultInput[] = snapshot.keyResults
    .filter((row) => known.has(row.objective_id))
    .map((row) => {
      const definition = keyResultDefinition(row);
      return {
        ...definition,
        objectiveId: row.objective_id,
        weight: row.weight,
        checkIns: row.checkIns.map((checkIn) => checkInOf(checkIn, definition)),
      };
    });
  const scored = new Set(keyResults.map((keyResult) => keyResult.objectiveId));
  const objectiveOfKeyResult = new Map(keyResults.map((keyResult) => [keyResult.id, keyResult.objectiveId]));
  const objectives: ObjectiveInput[] = [];
  const links: AlignmentLink[] = [];
  for (const row of snapshot.objectives) {
    if (!scored.has(row.id)) continue;
    objectives.push({ id: row.id, teamId: ownerKey(row), kind: row.kind, weight: row.weight });
    const parent = row.aligned_to_objective_id;
    if (parent && parent !== row.id && scored.has(parent)) {
      links.push({ type: "aligns-to", objectiveId: row.id, parentObjectiveId: parent });
    }
    const parentKeyResult = row.contributes_to_key_result_id;
    const owner = parentKeyResult ? objectiveOfKeyResult.get(parentKeyResult) : undefined;
    if (parentKeyResult && owner && owner !== row.id) {
      links.push({ type: "contributes-to", objectiveId: row.id, parentKeyResultId: parentKeyResult });
    }
  }
  return scoreOrganization({
    policy,
    cycle: snapshot.window ?? { start: asOf, end: asOf + 1 },
    asOf,
    objectives,
    keyResults,
    links,
  });
}
