// The read model's upserts from goals events: cycles, teams, objectives, key results and check-ins.
import { columnsOf, literalColumnsOf, type SqlRunner } from "@okr/database";
import {
  CheckInRecorded,
  CyclePhaseChanged,
  type EventData,
  type EventEnvelope,
  KeyResultUpserted,
  ObjectiveStateChanged,
  ObjectiveUpserted,
  TeamChanged,
} from "@okr/events";
import { PoisonEventError } from "@okr/messaging";
import { ScoringError } from "@okr/scoring-rules";
import { type CheckInRow, keyResultDefinition, keyResultRowOf } from "../model.ts";

type Data<D> = EventData<D>;

/** A batch folded to one change per entity. */
export interface Changes {
  cycles: Map<string, { tenant: string; data: Data<typeof CyclePhaseChanged> }>;
  teams: Map<string, { tenant: string; data: Data<typeof TeamChanged> }>;
  objectives: Map<string, { tenant: string; data: Data<typeof ObjectiveUpserted> }>;
  /** The state after the batch, when a state change came after the objective's last upsert. */
  objectiveStates: Map<string, { tenant: string; state: string }>;
  keyResults: Map<string, { tenant: string; data: Data<typeof KeyResultUpserted> }>;
  checkIns: Map<string, { tenant: string; data: Data<typeof CheckInRecorded> }>;
}

/** Folds the batch into one change per entity (a statement may touch each row only once). */
export function collectChanges(events: EventEnvelope[]): Changes {
  const changes: Changes = {
    cycles: new Map(),
    teams: new Map(),
    objectives: new Map(),
    objectiveStates: new Map(),
    keyResults: new Map(),
    checkIns: new Map(),
  };
  for (const event of events) {
    const { tenant } = event;
    switch (event.type) {
      case CyclePhaseChanged.type: {
        const data = event.data as Data<typeof CyclePhaseChanged>;
        keepNewest(changes.cycles, data.cycleId, { tenant, data }, (c) => Date.parse(c.data.changedAt));
        break;
      }
      case TeamChanged.type: {
        const data = event.data as Data<typeof TeamChanged>;
        changes.teams.set(data.teamId, { tenant, data });
        break;
      }
      case ObjectiveUpserted.type: {
        const data = event.data as Data<typeof ObjectiveUpserted>;
        if (keepNewest(changes.objectives, data.objectiveId, { tenant, data }, (c) => c.data.version)) {
          changes.objectiveStates.delete(data.objectiveId);
        }
        break;
      }
      case ObjectiveStateChanged.type: {
        const data = event.data as Data<typeof ObjectiveStateChanged>;
        changes.objectiveStates.set(data.objectiveId, { tenant, state: data.to });
        break;
      }
      case KeyResultUpserted.type: {
        const data = event.data as Data<typeof KeyResultUpserted>;
        try {
          keyResultDefinition(keyResultRowOf(data));
        } catch (error) {
          if (error instanceof ScoringError) {
            throw new PoisonEventError(`key result ${data.keyResultId} cannot be scored: ${error.message}`);
          }
          throw error;
        }
        keepNewest(changes.keyResults, data.keyResultId, { tenant, data }, (c) => c.data.version);
        break;
      }
      case CheckInRecorded.type: {
        const data = event.data as Data<typeof CheckInRecorded>;
        changes.checkIns.set(data.checkInId, { tenant, data });
        break;
      }
      default:
      // OrganizationCreated, retrospectives and the like change no score.
    }
  }
  return changes;
}

/** Keeps `change` under `id` unless the batch already holds a newer one there (a later event wins a tie). */
function keepNewest<Change>(
  changes: Map<string, Change>,
  id: string,
  change: Change,
  order: (change: Change) => number,
): boolean {
  const seen = changes.get(id);
  if (seen && order(seen) > order(change)) return false;
  changes.set(id, change);
  return true;
}

export async function applyCycles(client: SqlRunner, cycles: Changes["cycles"]): Promise<void> {
  if (cycles.size === 0) return;
  const rows = [...cycles.values()];
  await client.query(
    `insert into cycles (id, tenant_id, name, phase, starts_at, ends_at, phase_changed_at)
     select * from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::timestamptz[], $7::timestamptz[])
     on conflict (id) do update set name = excluded.name, phase = excluded.phase, starts_at = excluded.starts_at,
       ends_at = excluded.ends_at, phase_changed_at = excluded.phase_changed_at
     where cycles.tenant_id = excluded.tenant_id and cycles.phase_changed_at <= excluded.phase_changed_at`,
    columnsOf(rows, ({ tenant, data }) => [
      data.cycleId,
      tenant,
      data.name,
      data.phase,
      data.startsAt,
      data.endsAt,
      data.changedAt,
    ]),
  );
}

export async function applyTeams(client: SqlRunner, teams: Changes["teams"]): Promise<void> {
  if (teams.size === 0) return;
  const rows = [...teams.values()];
  await client.query(
    `insert into teams (id, tenant_id, name, parent_team_id, removed)
     select * from unnest($1::uuid[], $2::text[], $3::text[], $4::uuid[], $5::boolean[])
     on conflict (id) do update set name = excluded.name, parent_team_id = excluded.parent_team_id,
       removed = excluded.removed
     where teams.tenant_id = excluded.tenant_id`,
    columnsOf(rows, ({ tenant, data }) => [data.teamId, tenant, data.name, data.parentTeamId, data.removed]),
  );
}

/** Upserts newer objective versions; returns the objectives to re-score (changed ones and their old parents). */
export async function applyObjectives(
  client: SqlRunner,
  objectives: Changes["objectives"],
): Promise<string[]> {
  if (objectives.size === 0) return [];
  // Id order: every transaction takes objective row locks in the same order.
  const rows = [...objectives.values()].sort((a, b) => (a.data.objectiveId < b.data.objectiveId ? -1 : 1));
  const ids = rows.map((r) => r.data.objectiveId);
  // A re-aligned objective leaves its old parent: that parent's roll-up changes too.
  const before = await client.query<{ parent: string }>(
    `select aligned_to_objective_id as parent from objectives
      where id = any($1) and aligned_to_objective_id is not null
     union
     select k.objective_id from objectives o join key_results k on k.id = o.contributes_to_key_result_id
      where o.id = any($1)`,
    [ids],
  );
  const { rows: changed } = await client.query<{ id: string }>(
    `insert into objectives (id, tenant_id, cycle_id, title, kind, state, owner_kind, owner_id, weight,
       aligned_to_objective_id, contributes_to_key_result_id, version)
     select * from unnest($1::uuid[], $2::text[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[],
       $8::uuid[], $9::float8[], $10::uuid[], $11::uuid[], $12::int[])
     on conflict (id) do update set cycle_id = excluded.cycle_id, title = excluded.title, kind = excluded.kind,
       state = excluded.state, owner_kind = excluded.owner_kind, owner_id = excluded.owner_id,
       weight = excluded.weight, aligned_to_objective_id = excluded.aligned_to_objective_id,
       contributes_to_key_result_id = excluded.contributes_to_key_result_id, version = excluded.version
     where objectives.tenant_id = excluded.tenant_id and objectives.version < excluded.version
     returning id`,
    columnsOf(rows, ({ tenant, data }) => [
      data.objectiveId,
      tenant,
      data.cycleId,
      data.title,
      data.kind,
      data.state,
      data.owner.kind,
      data.owner.id,
      data.weight,
      data.alignedToObjectiveId,
      data.contributesToKeyResultId,
      data.version,
    ]),
  );
  if (changed.length === 0) return [];
  return [...changed.map((row) => row.id), ...before.rows.map((row) => row.parent)];
}

export async function applyObjectiveStates(
  client: SqlRunner,
  states: Changes["objectiveStates"],
): Promise<void> {
  if (states.size === 0) return;
  const rows = [...states].sort(([a], [b]) => (a < b ? -1 : 1));
  // Row locks in id order first, as a roll-up takes them (an update's lock order follows its plan).
  await client.query("select 1 from objectives where id = any($1) order by id for update", [
    rows.map(([id]) => id),
  ]);
  await client.query(
    `update objectives o set state = s.state
       from unnest($1::uuid[], $2::text[], $3::text[]) as s(id, tenant_id, state)
      where o.id = s.id and o.tenant_id = s.tenant_id`,
    [rows.map(([id]) => id), rows.map(([, r]) => r.tenant), rows.map(([, r]) => r.state)],
  );
}

/** Upserts newer KR versions; returns them, plus the objectives a moved KR left. */
export async function applyKeyResults(client: SqlRunner, keyResults: Changes["keyResults"]) {
  if (keyResults.size === 0) return { changed: [] as string[], previousObjectives: [] as string[] };
  const rows = [...keyResults.values()];
  const ids = rows.map((r) => r.data.keyResultId);
  const before = await client.query<{ id: string; objective_id: string }>(
    "select id, objective_id from key_results where id = any($1)",
    [ids],
  );
  const { rows: changed } = await client.query<{ id: string; objective_id: string }>(
    `insert into key_results (id, tenant_id, objective_id, cycle_id, title, type, baseline, target, band_low,
       band_high, milestones, unit, weight, version)
     select id, tenant_id, objective_id, cycle_id, title, type, baseline, target, band_low, band_high,
       array(select jsonb_array_elements_text(milestones)), unit, weight, version
       from unnest($1::uuid[], $2::text[], $3::uuid[], $4::uuid[], $5::text[], $6::text[], $7::float8[],
         $8::float8[], $9::float8[], $10::float8[], $11::jsonb[], $12::text[], $13::float8[], $14::int[])
         as u(id, tenant_id, objective_id, cycle_id, title, type, baseline, target, band_low, band_high,
           milestones, unit, weight, version)
     on conflict (id) do update set objective_id = excluded.objective_id, cycle_id = excluded.cycle_id,
       title = excluded.title, type = excluded.type, baseline = excluded.baseline, target = excluded.target,
       band_low = excluded.band_low, band_high = excluded.band_high, milestones = excluded.milestones,
       unit = excluded.unit, weight = excluded.weight, version = excluded.version
     where key_results.tenant_id = excluded.tenant_id and key_results.version < excluded.version
     returning id, objective_id`,
    columnsOf(rows, ({ tenant, data }) => [
      data.keyResultId,
      tenant,
      data.objectiveId,
      data.cycleId,
      data.title,
      data.type,
      data.baseline,
      data.target,
      data.bandLow,
      data.bandHigh,
      JSON.stringify(data.milestones),
      data.unit,
      data.weight,
      data.version,
    ]),
  );
  const changedIds = new Set(changed.map((row) => row.id));
  const previousObjectives = before.rows
    .filter((row) => changedIds.has(row.id))
    .map((row) => row.objective_id);
  return { changed: [...changedIds], previousObjectives };
}

/**
 * Records new check-ins (a redelivered one is already there); returns, per KR that got some, the rows
 * added under each tenant (what the KR's stored count and recent check-ins move by, see CheckInCounting).
 */
export async function applyCheckIns(
  client: SqlRunner,
  checkIns: Changes["checkIns"],
): Promise<AddedCheckIns> {
  const added: AddedCheckIns = new Map();
  if (checkIns.size === 0) return added;
  const rows = [...checkIns.values()];
  const { rows: inserted } = await client.query<{ id: string }>(
    `insert into check_ins (id, tenant_id, key_result_id, value, milestones_done, confidence, recorded_at)
     select * from unnest($1::uuid[], $2::text[], $3::uuid[], $4::float8[], $5::int[], $6::float8[], $7::timestamptz[])
     on conflict (id) do nothing
     returning id`,
    literalColumnsOf(rows, ({ tenant, data }) => [
      data.checkInId,
      tenant,
      data.keyResultId,
      data.value,
      data.milestonesDone ?? null,
      data.confidence,
      data.recordedAt,
    ]),
  );
  for (const { id } of inserted) {
    const { tenant, data } = checkIns.get(id)!;
    const byTenant = added.get(data.keyResultId) ?? new Map<string, CheckInRow[]>();
    const list = byTenant.get(tenant) ?? [];
    list.push({
      id,
      value: data.value,
      milestones_done: data.milestonesDone ?? null,
      confidence: data.confidence,
      recorded_at: new Date(data.recordedAt),
    });
    byTenant.set(tenant, list);
    added.set(data.keyResultId, byTenant);
  }
  return added;
}

/** Check-ins this transaction inserted: key result -> tenant -> rows. */
export type AddedCheckIns = Map<string, Map<string, CheckInRow[]>>;
