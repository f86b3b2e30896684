import { arrayLiteral } from "@okr/database";
import {
  CheckInRecorded,
  CyclePhaseChanged,
  type EventData,
  type EventEnvelope,
  KeyResultScored,
  KeyResultUpserted,
  ObjectiveScored,
  ObjectiveStateChanged,
  ObjectiveUpserted,
  TeamChanged,
} from "@okr/events";
import {
  type PendingEvent,
  PoisonEventError,
  pgTransaction,
  publishEvents,
  type SqlExecutor,
} from "@okr/messaging";
import {
  assessRisk,
  colourOf,
  expectedProgress,
  gradeOf,
  isLaterCheckIn,
  type KeyResultDefinition,
  rolledObjectiveScore,
  ScoringError,
  type ScoringPolicy,
  scoreKeyResult,
  scoreObjective,
} from "@okr/scoring-rules";
import { type SpanOptions, withSpan } from "@okr/telemetry";
import type pg from "pg";
import {
  type CheckInRow,
  checkInOf,
  type KeyResultRow,
  keyResultDefinition,
  keyResultRowOf,
} from "./model.ts";
import { livePolicies, type Queryable } from "./policies.ts";

type Data<D> = EventData<D>;

/** What a live-policy re-score of a tenant changed (rescoreTenant). */
export interface ScoringOutcome {
  keyResultsScored: number;
  objectivesScored: number;
}

/** What one roll-up did: the requests it took and the objectives it re-scored. */
export interface RollUpOutcome {
  requests: number;
  objectivesScored: number;
}

/** Advisory lock of a tenant's batches (key results); rollUpObjectives takes ROLL_UP_LOCK instead. */
const BATCH_LOCK = "okr-scoring:";
const ROLL_UP_LOCK = "okr-scoring-roll-up:";
const lockTenants = (client: Queryable, lock: string, tenants: string[]) =>
  client.query("select pg_advisory_xact_lock(hashtext($1 || t)) from unnest($2::text[]) t order by t", [
    lock,
    tenants,
  ]);

/**
 * Applies a batch of goals events to the read model and re-scores the key results they touch, in the
 * consumer's transaction. What follows from that is left as a roll-up request in the same transaction:
 * the objectives on those KRs' paths to the root, and the KRs whose score moved. rollUpObjectives then
 * re-scores the objectives and publishes both kinds of score event in a transaction of its own, so a
 * tenant's next batch runs beside the roll-up instead of waiting for it.
 *
 * Order-independent by construction: objectives and KRs keep their highest `version`, cycles their
 * latest `changedAt`, check-ins are a set keyed by id and scored by `recordedAt` (scoring-rules), so
 * redelivered, duplicated or out-of-order events end in the same state.
 */
export async function applyGoalsEvents(
  client: Queryable,
  events: EventEnvelope[],
  now: Date = new Date(),
): Promise<{ keyResultsScored: number; objectivesToRollUp: number }> {
  const tenants = [...new Set(events.map((event) => event.tenant))].sort();
  // One tenant's batches apply one at a time (across replicas, and against a live-policy re-score), so a
  // KR is always scored from the committed check-ins before it.
  await lockTenants(client, BATCH_LOCK, tenants);
  const policies = await livePolicies(client, tenants);

  const changes = collectChanges(events);
  const dirtyKeyResults = new Set<string>();
  const dirtyObjectives = new Set<string>();

  await applyCycles(client, changes.cycles);
  await applyTeams(client, changes.teams);
  for (const id of await applyObjectives(client, changes.objectives)) dirtyObjectives.add(id);
  await applyObjectiveStates(client, changes.objectiveStates);
  const keyResultChange = await applyKeyResults(client, changes.keyResults);
  for (const id of keyResultChange.changed) dirtyKeyResults.add(id);
  for (const id of keyResultChange.previousObjectives) dirtyObjectives.add(id);
  const added = await applyCheckIns(client, changes.checkIns);
  for (const id of added.keys()) dirtyKeyResults.add(id);

  const keyResultOutcome = await rescoreKeyResults(
    client,
    [...dirtyKeyResults],
    policies,
    now.toISOString(),
    {
      added,
      recount: new Set(keyResultChange.changed),
    },
  );
  for (const id of keyResultOutcome.objectives) dirtyObjectives.add(id);
  // The roll-up publishes the moved KRs' score events (see rollUpObjectives).
  if (dirtyObjectives.size > 0 || keyResultOutcome.moved.size > 0) {
    // Objectives not (yet) in the read model have nothing to roll up; their upsert will request it.
    await client.query(
      `insert into objective_roll_up_requests (tenant_id, objective_ids, key_result_ids)
       select coalesce(o.tenant_id, k.key), coalesce(o.ids, '{}'),
              coalesce(array(select jsonb_array_elements_text(k.value))::uuid[], '{}')
         from (select tenant_id, array_agg(id) as ids from objectives where id = any($1) group by tenant_id) o
         full join jsonb_each($2::jsonb) k on k.key = o.tenant_id`,
      [arrayLiteral([...dirtyObjectives]), JSON.stringify(Object.fromEntries(keyResultOutcome.moved))],
    );
  }
  return { keyResultsScored: keyResultOutcome.scored, objectivesToRollUp: dirtyObjectives.size };
}

/**
 * Carries out the roll-up requests that committed batches of `tenant` left: publishes
 * okr.key-result.scored.v1 for each KR whose score they moved (once per KR, with its latest score, however
 * many check-ins moved it since the last roll-up), and re-scores the requested objectives (and, under a
 * blend-children policy, their paths to the root), children first, from the committed KR scores. Runs in
 * the caller's transaction and takes the requests it read; a tenant's roll-ups serialise on their own
 * lock, so one runs beside the tenant's next batch. Requests committed after it began are left for the
 * next one; a failed or crashed one leaves its requests in place.
 */
export async function rollUpObjectives(
  client: Queryable,
  tx: SqlExecutor,
  tenant: string,
  now: Date = new Date(),
): Promise<RollUpOutcome> {
  await lockTenants(client, ROLL_UP_LOCK, [tenant]);
  // The requests' ids come back merged and as one text each: pg parses a uuid[] column character by
  // character in JavaScript, a split is native (a burst's requests hold thousands of ids).
  const { rows } = await client.query<{ requests: number; objective_ids: string; key_result_ids: string }>(
    `with taken as (
       delete from objective_roll_up_requests where tenant_id = $1 returning objective_ids, key_result_ids)
     select (select count(*)::int from taken) as requests,
            (select coalesce(string_agg(distinct id::text, ','), '') from taken, unnest(objective_ids) id) as objective_ids,
            (select coalesce(string_agg(distinct id::text, ','), '') from taken, unnest(key_result_ids) id) as key_result_ids`,
    [tenant],
  );
  const { requests, objective_ids, key_result_ids } = rows[0]!;
  if (requests === 0) return { requests: 0, objectivesScored: 0 };
  const idsOf = (joined: string) => (joined === "" ? [] : joined.split(","));
  const policies = await livePolicies(client, [tenant]);
  const pending: PendingEvent[] = [];
  pending.push(...(await keyResultScoredEvents(client, idsOf(key_result_ids), policies, now.toISOString())));
  const objectivesScored = await rescoreObjectives(client, idsOf(objective_ids), policies, now, pending);
  await publishEvents(tx, pending);
  return { requests, objectivesScored };
}

/** One roll-up of `tenant` in a transaction of its own, traced as "scoring roll-up". */
export function rollUpTenant(
  pool: pg.Pool,
  tenant: string,
  parent?: SpanOptions["parent"],
): Promise<RollUpOutcome> {
  return withSpan("scoring roll-up", { parent, attributes: { "okr.tenant": tenant } }, async (span) => {
    const result = await pgTransaction(pool, (tx) => rollUpObjectives(tx.client, tx, tenant));
    span.setAttributes({
      "okr.roll_up.requests": result.requests,
      "okr.roll_up.objectives_scored": result.objectivesScored,
    });
    return result;
  });
}

/** Tenants with roll-ups left to do (a consumer drains them when it starts). */
export async function tenantsToRollUp(client: Queryable): Promise<string[]> {
  const { rows } = await client.query<{ tenant_id: string }>(
    "select distinct tenant_id from objective_roll_up_requests",
  );
  return rows.map((row) => row.tenant_id);
}

/** okr.key-result.scored.v1 for each of these KRs, from its committed row. */
async function keyResultScoredEvents(
  client: Queryable,
  ids: string[],
  policies: Map<string, ScoringPolicy>,
  asOf: string,
): Promise<PendingEvent[]> {
  if (ids.length === 0) return [];
  const { rows } = await client.query<{
    id: string;
    tenant_id: string;
    objective_id: string;
    cycle_id: string;
    progress: number;
    score: number;
    confidence: number | null;
  }>(
    "select id, tenant_id, objective_id, cycle_id, progress, score, confidence from key_results where id = any($1)",
    [arrayLiteral(ids)],
  );
  return rows.map((row) => {
    const policy = policies.get(row.tenant_id)!;
    return {
      definition: KeyResultScored,
      data: {
        keyResultId: row.id,
        objectiveId: row.objective_id,
        cycleId: row.cycle_id,
        progress: row.progress,
        score: row.score,
        confidence: row.confidence,
        policy: { id: policy.id, version: policy.version },
        asOf,
      },
      context: { tenant: row.tenant_id },
    } satisfies PendingEvent<typeof KeyResultScored.schema>;
  });
}

/**
 * Re-scores every KR and objective of a tenant under its current live policy (after that policy
 * changed), through the same path a check-in takes, in the caller's transaction. Holds both of the
 * tenant's locks (batch, then roll-up: the one order every transaction takes them in).
 */
export async function rescoreTenant(
  client: Queryable,
  tx: SqlExecutor,
  tenant: string,
  now: Date = new Date(),
): Promise<ScoringOutcome> {
  await lockTenants(client, BATCH_LOCK, [tenant]);
  await lockTenants(client, ROLL_UP_LOCK, [tenant]);
  const policies = await livePolicies(client, [tenant]);
  const keyResults = await client.query<{ id: string }>("select id from key_results where tenant_id = $1", [
    tenant,
  ]);
  const objectives = await client.query<{ id: string }>("select id from objectives where tenant_id = $1", [
    tenant,
  ]);
  const asOf = now.toISOString();
  const keyResultOutcome = await rescoreKeyResults(
    client,
    keyResults.rows.map((row) => row.id),
    policies,
    asOf,
  );
  const pending = await keyResultScoredEvents(
    client,
    [...keyResultOutcome.moved.values()].flat(),
    policies,
    asOf,
  );
  const objectivesScored = await rescoreObjectives(
    client,
    objectives.rows.map((row) => row.id),
    policies,
    now,
    pending,
  );
  await publishEvents(tx, pending);
  return { keyResultsScored: keyResultOutcome.scored, objectivesScored };
}

interface Changes {
  cycles: Map<string, { tenant: string; data: Data<typeof CyclePhaseChanged> }>;
  teams: Map<string, { tenant: string; data: Data<typeof TeamChanged> }>;
  objectives: Map<string, { tenant: string; data: Data<typeof ObjectiveUpserted> }>;
  /** The state after the batch, when a state change came after the objective's last upsert. */
  objectiveStates: Map<string, { tenant: string; state: string }>;
  keyResults: Map<string, { tenant: string; data: Data<typeof KeyResultUpserted> }>;
  checkIns: Map<string, { tenant: string; data: Data<typeof CheckInRecorded> }>;
}

/** Folds the batch into one change per entity (a statement may touch each row only once). */
function collectChanges(events: EventEnvelope[]): Changes {
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
        const seen = changes.cycles.get(data.cycleId);
        if (!seen || Date.parse(seen.data.changedAt) <= Date.parse(data.changedAt)) {
          changes.cycles.set(data.cycleId, { tenant, data });
        }
        break;
      }
      case TeamChanged.type: {
        const data = event.data as Data<typeof TeamChanged>;
        changes.teams.set(data.teamId, { tenant, data });
        break;
      }
      case ObjectiveUpserted.type: {
        const data = event.data as Data<typeof ObjectiveUpserted>;
        const seen = changes.objectives.get(data.objectiveId);
        if (!seen || seen.data.version <= data.version) {
          changes.objectives.set(data.objectiveId, { tenant, data });
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
        const seen = changes.keyResults.get(data.keyResultId);
        if (!seen || seen.data.version <= data.version)
          changes.keyResults.set(data.keyResultId, { tenant, data });
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

async function applyCycles(client: Queryable, cycles: Changes["cycles"]): Promise<void> {
  if (cycles.size === 0) return;
  const rows = [...cycles.values()];
  await client.query(
    `insert into cycles (id, tenant_id, name, phase, starts_at, ends_at, phase_changed_at)
     select * from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::timestamptz[], $7::timestamptz[])
     on conflict (id) do update set name = excluded.name, phase = excluded.phase, starts_at = excluded.starts_at,
       ends_at = excluded.ends_at, phase_changed_at = excluded.phase_changed_at
     where cycles.tenant_id = excluded.tenant_id and cycles.phase_changed_at <= excluded.phase_changed_at`,
    [
      rows.map((r) => r.data.cycleId),
      rows.map((r) => r.tenant),
      rows.map((r) => r.data.name),
      rows.map((r) => r.data.phase),
      rows.map((r) => r.data.startsAt),
      rows.map((r) => r.data.endsAt),
      rows.map((r) => r.data.changedAt),
    ],
  );
}

async function applyTeams(client: Queryable, teams: Changes["teams"]): Promise<void> {
  if (teams.size === 0) return;
  const rows = [...teams.values()];
  await client.query(
    `insert into teams (id, tenant_id, name, parent_team_id, removed)
     select * from unnest($1::uuid[], $2::text[], $3::text[], $4::uuid[], $5::boolean[])
     on conflict (id) do update set name = excluded.name, parent_team_id = excluded.parent_team_id,
       removed = excluded.removed
     where teams.tenant_id = excluded.tenant_id`,
    [
      rows.map((r) => r.data.teamId),
      rows.map((r) => r.tenant),
      rows.map((r) => r.data.name),
      rows.map((r) => r.data.parentTeamId),
      rows.map((r) => r.data.removed),
    ],
  );
}

/** Upserts newer objective versions; returns the objectives to re-score (changed ones and their old parents). */
async function applyObjectives(client: Queryable, objectives: Changes["objectives"]): Promise<string[]> {
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
    [
      ids,
      rows.map((r) => r.tenant),
      rows.map((r) => r.data.cycleId),
      rows.map((r) => r.data.title),
      rows.map((r) => r.data.kind),
      rows.map((r) => r.data.state),
      rows.map((r) => r.data.owner.kind),
      rows.map((r) => r.data.owner.id),
      rows.map((r) => r.data.weight),
      rows.map((r) => r.data.alignedToObjectiveId),
      rows.map((r) => r.data.contributesToKeyResultId),
      rows.map((r) => r.data.version),
    ],
  );
  if (changed.length === 0) return [];
  return [...changed.map((row) => row.id), ...before.rows.map((row) => row.parent)];
}

async function applyObjectiveStates(client: Queryable, states: Changes["objectiveStates"]): Promise<void> {
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
async function applyKeyResults(client: Queryable, keyResults: Changes["keyResults"]) {
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
    [
      ids,
      rows.map((r) => r.tenant),
      rows.map((r) => r.data.objectiveId),
      rows.map((r) => r.data.cycleId),
      rows.map((r) => r.data.title),
      rows.map((r) => r.data.type),
      rows.map((r) => r.data.baseline),
      rows.map((r) => r.data.target),
      rows.map((r) => r.data.bandLow),
      rows.map((r) => r.data.bandHigh),
      rows.map((r) => JSON.stringify(r.data.milestones)),
      rows.map((r) => r.data.unit),
      rows.map((r) => r.data.weight),
      rows.map((r) => r.data.version),
    ],
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
async function applyCheckIns(client: Queryable, checkIns: Changes["checkIns"]): Promise<AddedCheckIns> {
  const added: AddedCheckIns = new Map();
  if (checkIns.size === 0) return added;
  const rows = [...checkIns.values()];
  const { rows: inserted } = await client.query<{ id: string }>(
    `insert into check_ins (id, tenant_id, key_result_id, value, milestones_done, confidence, recorded_at)
     select * from unnest($1::uuid[], $2::text[], $3::uuid[], $4::float8[], $5::int[], $6::float8[], $7::timestamptz[])
     on conflict (id) do nothing
     returning id`,
    [
      arrayLiteral(rows.map((r) => r.data.checkInId)),
      arrayLiteral(rows.map((r) => r.tenant)),
      arrayLiteral(rows.map((r) => r.data.keyResultId)),
      arrayLiteral(rows.map((r) => r.data.value)),
      arrayLiteral(rows.map((r) => r.data.milestonesDone ?? null)),
      arrayLiteral(rows.map((r) => r.data.confidence)),
      arrayLiteral(rows.map((r) => r.data.recordedAt)),
    ],
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
type AddedCheckIns = Map<string, Map<string, CheckInRow[]>>;

/**
 * How a re-score learns each KR's check-ins without reading its history: the count and the latest
 * check-ins (`recent_check_ins`, as many as the policy's confidence-trend window) stored by the KR's last
 * re-score, plus the check-ins this transaction added. Every insert of a check-in for a stored KR
 * re-scores that KR in the same transaction, so what is stored is always complete, except for a KR that
 * was (re)defined in this batch (its check-ins may have arrived before it): those are `recount`, read
 * from check_ins. Without this argument every KR is read from check_ins.
 */
interface CheckInCounting {
  added: AddedCheckIns;
  recount: Set<string>;
}

interface StoredKeyResult extends KeyResultRow {
  tenant_id: string;
  objective_id: string;
  cycle_id: string;
  progress: number | null;
  score: number | null;
  confidence: number | null;
  check_in_count: number;
  /** The latest check-ins, latest first (null until the KR's first re-score with this column). */
  recent_check_ins: StoredCheckIn[] | null;
}

/**
 * A check-in as `recent_check_ins` stores it: a JSON tuple [id, recorded_at (epoch ms), value,
 * milestones_done, confidence], compact because every re-score rewrites the KR's row.
 */
type StoredCheckIn = [
  id: string,
  recordedAt: number,
  value: number,
  milestonesDone: number | null,
  confidence: number,
];

/**
 * Re-scores KRs from the check-ins their score depends on (see loadScoringCheckIns); returns how many
 * were scored, their objectives, and the KRs whose progress, score or confidence moved (by tenant).
 */
async function rescoreKeyResults(
  client: Queryable,
  ids: string[],
  policies: Map<string, ScoringPolicy>,
  asOf: string,
  counting?: CheckInCounting,
): Promise<{ scored: number; objectives: string[]; moved: Map<string, string[]> }> {
  const moved = new Map<string, string[]>();
  if (ids.length === 0) return { scored: 0, objectives: [], moved };
  const { rows: keyResults } = await client.query<StoredKeyResult>(
    `select id, tenant_id, objective_id, cycle_id, type, baseline, target, band_low, band_high, milestones,
            progress, score, confidence, check_in_count, recent_check_ins
       from key_results where id = any($1)`,
    [arrayLiteral(ids)],
  );
  if (keyResults.length === 0) return { scored: 0, objectives: [], moved };
  const { checkInsOf, countOf, recentOf } = await loadScoringCheckIns(client, keyResults, policies, counting);

  const updates: {
    id: string;
    progress: number;
    score: number;
    confidence: number | null;
    trend: number | null;
    current: number | null;
    count: number;
  }[] = [];
  for (const row of keyResults) {
    const definition: KeyResultDefinition = keyResultDefinition(row);
    const scored = scoreKeyResult(
      definition,
      (checkInsOf.get(row.id) ?? []).map((checkIn) => checkInOf(checkIn, definition)),
      policies.get(row.tenant_id)!,
      Number.POSITIVE_INFINITY,
    );
    const count = countOf.get(row.id);
    const result = count === undefined ? scored : { ...scored, checkInCount: count };
    updates.push({
      id: row.id,
      progress: result.progress,
      score: result.score,
      confidence: result.confidence,
      trend: result.confidenceTrend,
      current: result.currentValue,
      count: result.checkInCount,
    });
    if (
      row.progress !== result.progress ||
      row.score !== result.score ||
      row.confidence !== result.confidence
    ) {
      const list = moved.get(row.tenant_id);
      if (list) list.push(row.id);
      else moved.set(row.tenant_id, [row.id]);
    }
  }
  // The recent check-ins travel as one JSON array (element n for the n-th KR): a jsonb[] parameter would
  // make pg escape each list in JavaScript.
  await client.query(
    `update key_results k set progress = u.progress, score = u.score, confidence = u.confidence,
            confidence_trend = u.trend, current_value = u.current, check_in_count = u.count,
            recent_check_ins = $9::jsonb -> (u.n::int - 1), scored_at = $8
       from unnest($1::uuid[], $2::float8[], $3::float8[], $4::float8[], $5::float8[], $6::float8[], $7::int[])
         with ordinality as u(id, progress, score, confidence, trend, current, count, n)
      where k.id = u.id`,
    [
      arrayLiteral(updates.map((u) => u.id)),
      arrayLiteral(updates.map((u) => u.progress)),
      arrayLiteral(updates.map((u) => u.score)),
      arrayLiteral(updates.map((u) => u.confidence)),
      arrayLiteral(updates.map((u) => u.trend)),
      arrayLiteral(updates.map((u) => u.current)),
      arrayLiteral(updates.map((u) => u.count)),
      asOf,
      JSON.stringify(updates.map((u) => recentOf.get(u.id) ?? null)),
    ],
  );
  return {
    scored: updates.length,
    objectives: [...new Set(keyResults.map((row) => row.objective_id))],
    moved,
  };
}

const BAND_TYPES = new Set(["stay-above", "stay-below", "stay-between"]);

/**
 * The check-ins a KR's score depends on. Every stored check-in carries a value and a confidence, so the
 * score needs only the latest one (value, milestones), the latest `confidenceTrendWindow` ones (trend)
 * and how many there are; only a band KR under a "share-inside" policy needs its whole history. Those
 * latest ones come from the KR's stored `recent_check_ins` merged with the check-ins just added (see
 * CheckInCounting), else from check_ins; the rest are counted, not read. `countOf` holds the count for
 * the KRs whose history was cut, `recentOf` what to store as their recent check-ins.
 */
async function loadScoringCheckIns(
  client: Queryable,
  keyResults: StoredKeyResult[],
  policies: Map<string, ScoringPolicy>,
  counting: CheckInCounting | undefined,
): Promise<{
  checkInsOf: Map<string, CheckInRow[]>;
  countOf: Map<string, number>;
  recentOf: Map<string, StoredCheckIn[]>;
}> {
  const whole: string[] = [];
  const read: string[] = [];
  const recount: string[] = [];
  const checkInsOf = new Map<string, CheckInRow[]>();
  const countOf = new Map<string, number>();
  const windowOf = new Map<string, number>();
  let window = 1;
  for (const row of keyResults) {
    const policy = policies.get(row.tenant_id)!;
    if (BAND_TYPES.has(row.type) && policy.bandRule === "share-inside") {
      whole.push(row.id);
      continue;
    }
    windowOf.set(row.id, policy.confidenceTrendWindow);
    const stored = row.recent_check_ins;
    if (!counting || counting.recount.has(row.id)) {
      recount.push(row.id);
      read.push(row.id);
    } else {
      const added = counting.added.get(row.id)?.get(row.tenant_id) ?? [];
      countOf.set(row.id, row.check_in_count + added.length);
      if (stored && stored.length >= Math.min(policy.confidenceTrendWindow, row.check_in_count)) {
        checkInsOf.set(row.id, [...stored.map(checkInRowOf), ...added]);
      } else {
        // Stored before this column existed, or under a smaller window: read once, stored from now on.
        read.push(row.id);
      }
    }
    window = Math.max(window, policy.confidenceTrendWindow);
  }
  const add = (row: CheckInRow & { key_result_id: string }) => {
    const list = checkInsOf.get(row.key_result_id);
    if (list) list.push(row);
    else checkInsOf.set(row.key_result_id, [row]);
  };
  if (whole.length > 0) {
    const { rows } = await client.query<CheckInRow & { key_result_id: string }>(
      `select c.key_result_id, c.id, c.value, c.milestones_done, c.confidence, c.recorded_at
         from check_ins c join key_results k on k.id = c.key_result_id and k.tenant_id = c.tenant_id
        where c.key_result_id = any($1)`,
      [whole],
    );
    for (const row of rows) add(row);
  }
  if (read.length > 0) {
    const { rows } = await client.query<
      Partial<CheckInRow> & { key_result_id: string; id: string | null; total: number | null }
    >(
      `select k.id as key_result_id, c.id, c.value, c.milestones_done, c.confidence, c.recorded_at,
              case when k.id = any($3) then (
                select count(*)::int from check_ins where key_result_id = k.id and tenant_id = k.tenant_id
              ) end as total
         from key_results k
         left join lateral (
           select id, value, milestones_done, confidence, recorded_at from check_ins
            where key_result_id = k.id and tenant_id = k.tenant_id
            order by recorded_at desc, id desc limit $2
         ) c on true
        where k.id = any($1)`,
      [read, window, recount],
    );
    for (const row of rows) {
      if (row.total !== null) countOf.set(row.key_result_id, row.total);
      if (row.id !== null) add(row as CheckInRow & { key_result_id: string });
    }
  }
  // What each windowed KR stores for its next re-score: its latest check-ins, latest first.
  const recentOf = new Map<string, StoredCheckIn[]>();
  for (const [id, size] of windowOf) {
    const latest = latestFirst(checkInsOf.get(id) ?? []).slice(0, size);
    checkInsOf.set(id, latest);
    recentOf.set(
      id,
      latest.map((c) => [c.id, c.recorded_at.getTime(), c.value, c.milestones_done, c.confidence]),
    );
  }
  return { checkInsOf, countOf, recentOf };
}

/**
 * The check-ins latest first, in scoring-rules' order of check-ins (isLaterCheckIn). Each row's sort key
 * is built once, not on every comparison: this runs for every re-scored KR of every batch.
 */
function latestFirst(rows: CheckInRow[]): CheckInRow[] {
  const keyed = rows.map((row) => ({ row, key: { id: row.id, recordedAt: row.recorded_at.getTime() } }));
  keyed.sort((a, b) => (isLaterCheckIn(a.key, b.key) ? -1 : isLaterCheckIn(b.key, a.key) ? 1 : 0));
  return keyed.map(({ row }) => row);
}

const checkInRowOf = ([id, recordedAt, value, milestonesDone, confidence]: StoredCheckIn): CheckInRow => ({
  id,
  value,
  milestones_done: milestonesDone,
  confidence,
  recorded_at: new Date(recordedAt),
});

interface StoredObjective {
  id: string;
  tenant_id: string;
  cycle_id: string;
  kind: "committed" | "aspirational";
  weight: number;
  score: number | null;
  own_score: number | null;
  grade: number | null;
  band: string | null;
}

/** Parent links (child -> parent) between objectives of the same tenant and cycle. */
const PARENTS_SQL = `
  select o.id as child, p.id as parent from objectives o
    join objectives p on p.id = o.aligned_to_objective_id and p.tenant_id = o.tenant_id and p.cycle_id = o.cycle_id
   where o.id = any($1)
  union
  select o.id, p.id from objectives o
    join key_results k on k.id = o.contributes_to_key_result_id and k.tenant_id = o.tenant_id
    join objectives p on p.id = k.objective_id and p.tenant_id = o.tenant_id and p.cycle_id = o.cycle_id
   where o.id = any($1)`;

/** Children (child -> parent) of the given parents, same tenant and cycle, each pair once. */
const CHILDREN_SQL = `
  select c.id as child, p.id as parent, c.weight, c.score from objectives p
    join objectives c on c.aligned_to_objective_id = p.id and c.tenant_id = p.tenant_id and c.cycle_id = p.cycle_id
   where p.id = any($1)
  union
  select c.id, p.id, c.weight, c.score from objectives p
    join key_results k on k.objective_id = p.id and k.tenant_id = p.tenant_id
    join objectives c on c.contributes_to_key_result_id = k.id and c.tenant_id = p.tenant_id and c.cycle_id = p.cycle_id
   where p.id = any($1)`;

/**
 * Re-scores the given objectives and, for tenants whose policy blends children in, every ancestor,
 * children first. Each from its own KRs' scores and its children's current scores (the same
 * arithmetic as a full recompute, see rolledObjectiveScore). Returns how many were re-scored.
 */
async function rescoreObjectives(
  client: Queryable,
  ids: string[],
  policies: Map<string, ScoringPolicy>,
  now: Date,
  pending: PendingEvent[],
): Promise<number> {
  if (ids.length === 0) return 0;
  const blending = [...policies].some(([, policy]) => policy.rollup.mode === "blend-children");
  const affected = new Set(ids);
  const parentsOf = new Map<string, Set<string>>();
  if (blending) {
    let frontier = [...affected];
    while (frontier.length > 0) {
      const { rows } = await client.query<{ child: string; parent: string }>(PARENTS_SQL, [frontier]);
      frontier = [];
      for (const { child, parent } of rows) {
        if (!parentsOf.has(child)) parentsOf.set(child, new Set());
        parentsOf.get(child)!.add(parent);
        if (!affected.has(parent)) {
          affected.add(parent);
          frontier.push(parent);
        }
      }
    }
  }
  const { rows: objectives } = await client.query<StoredObjective>(
    // Row locks in id order: a batch upserting objectives locks them in the same order (no deadlock).
    `select id, tenant_id, cycle_id, kind, weight, score, own_score, grade, band from objectives
      where id = any($1) order by id for update`,
    [arrayLiteral([...affected])],
  );
  if (objectives.length === 0) return 0;
  const byId = new Map(objectives.map((row) => [row.id, row]));
  const { rows: keyResults } = await client.query<{
    objective_id: string;
    score: number;
    weight: number;
    confidence: number | null;
  }>(
    `select k.objective_id, k.score, k.weight, k.confidence from key_results k
       join objectives o on o.id = k.objective_id and o.tenant_id = k.tenant_id
      where k.objective_id = any($1) and k.score is not null`,
    [arrayLiteral([...byId.keys()])],
  );
  const keyResultsOf = groupBy(keyResults, (row) => row.objective_id);
  const children = blending
    ? groupBy(
        (
          await client.query<{ child: string; parent: string; weight: number; score: number | null }>(
            CHILDREN_SQL,
            [[...byId.keys()]],
          )
        ).rows.filter((row) => row.child !== row.parent),
        (row) => row.parent,
      )
    : new Map<string, { child: string; weight: number; score: number | null }[]>();

  const cycleWindows = await loadCycleWindows(client, [...new Set(objectives.map((row) => row.cycle_id))]);
  const updated = new Map<string, number | null>();
  const updates: {
    id: string;
    own: number | null;
    score: number | null;
    grade: number | null;
    band: string | null;
    confidence: number | null;
    policy: ScoringPolicy;
  }[] = [];
  for (const id of childrenFirst(byId, parentsOf)) {
    const row = byId.get(id)!;
    const policy = policies.get(row.tenant_id) ?? [...policies.values()][0]!;
    const own = keyResultsOf.get(id) ?? [];
    let score: number | null = null;
    let ownScore: number | null = null;
    let confidence: number | null = null;
    if (own.length > 0) {
      ownScore = scoreObjective(own);
      const scoredChildren = (children.get(id) ?? []).flatMap((child) => {
        const childScore = updated.has(child.child) ? updated.get(child.child)! : child.score;
        return childScore === null ? [] : [{ score: childScore, weight: child.weight }];
      });
      score = rolledObjectiveScore(policy, ownScore, scoredChildren);
      for (const keyResult of own) {
        if (keyResult.confidence !== null && (confidence === null || keyResult.confidence < confidence)) {
          confidence = keyResult.confidence;
        }
      }
    }
    updated.set(id, score);
    const grade = score === null ? null : gradeOf(score);
    const band = score === null ? null : colourOf(score);
    updates.push({ id, own: ownScore, score, grade, band, confidence, policy });
    if (score !== null && (row.score !== score || row.grade !== grade || row.band !== band)) {
      const window = cycleWindows.get(row.cycle_id);
      const expected = window ? expectedProgress(window, now.getTime()) : 0;
      pending.push({
        definition: ObjectiveScored,
        data: {
          objectiveId: id,
          cycleId: row.cycle_id,
          kind: row.kind,
          score,
          grade: grade!,
          band: band!,
          atRisk: assessRisk(score, confidence, expected, policy).atRisk,
          policy: { id: policy.id, version: policy.version },
          asOf: now.toISOString(),
        },
        context: { tenant: row.tenant_id },
      } satisfies PendingEvent<typeof ObjectiveScored.schema>);
    }
  }
  await client.query(
    `update objectives o set own_score = u.own, score = u.score, grade = u.grade, band = u.band,
            confidence = u.confidence, policy_id = u.policy_id, policy_version = u.policy_version, scored_at = $9
       from unnest($1::uuid[], $2::float8[], $3::float8[], $4::float8[], $5::text[], $6::float8[], $7::text[], $8::int[])
         as u(id, own, score, grade, band, confidence, policy_id, policy_version)
      where o.id = u.id`,
    [
      arrayLiteral(updates.map((u) => u.id)),
      arrayLiteral(updates.map((u) => u.own)),
      arrayLiteral(updates.map((u) => u.score)),
      arrayLiteral(updates.map((u) => u.grade)),
      arrayLiteral(updates.map((u) => u.band)),
      arrayLiteral(updates.map((u) => u.confidence)),
      arrayLiteral(updates.map((u) => u.policy.id)),
      arrayLiteral(updates.map((u) => u.policy.version)),
      now.toISOString(),
    ],
  );
  const moved = updates.filter((u) => {
    const before = byId.get(u.id)!;
    return u.score !== null && (before.score !== u.score || before.grade !== u.grade);
  });
  if (moved.length > 0) {
    await client.query(
      `insert into objective_score_history (tenant_id, objective_id, cycle_id, score, grade, band, policy_id, policy_version, recorded_at)
       select * from unnest($1::text[], $2::uuid[], $3::uuid[], $4::float8[], $5::float8[], $6::text[], $7::text[], $8::int[], $9::timestamptz[])`,
      [
        arrayLiteral(moved.map((u) => byId.get(u.id)!.tenant_id)),
        arrayLiteral(moved.map((u) => u.id)),
        arrayLiteral(moved.map((u) => byId.get(u.id)!.cycle_id)),
        arrayLiteral(moved.map((u) => u.score)),
        arrayLiteral(moved.map((u) => u.grade)),
        arrayLiteral(moved.map((u) => u.band)),
        arrayLiteral(moved.map((u) => u.policy.id)),
        arrayLiteral(moved.map((u) => u.policy.version)),
        arrayLiteral(moved.map(() => now.toISOString())),
      ],
    );
  }
  return updates.length;
}

/** Kahn's order over the affected objectives: each after all of its affected children. */
function childrenFirst(objectives: Map<string, unknown>, parentsOf: Map<string, Set<string>>): string[] {
  const pending = new Map<string, number>([...objectives.keys()].map((id) => [id, 0]));
  for (const [child, parents] of parentsOf) {
    if (!pending.has(child)) continue;
    for (const parent of parents) if (pending.has(parent)) pending.set(parent, pending.get(parent)! + 1);
  }
  const order = [...pending].filter(([, count]) => count === 0).map(([id]) => id);
  for (let head = 0; head < order.length; head++) {
    for (const parent of parentsOf.get(order[head]!) ?? []) {
      if (!pending.has(parent)) continue;
      const left = pending.get(parent)! - 1;
      pending.set(parent, left);
      if (left === 0) order.push(parent);
    }
  }
  // Objectives on an alignment loop (the goals service rejects those) are scored last, in id order.
  const placed = new Set(order);
  return [...order, ...[...pending.keys()].filter((id) => !placed.has(id)).sort()];
}

async function loadCycleWindows(client: Queryable, ids: string[]) {
  const { rows } = await client.query<{ id: string; starts_at: Date; ends_at: Date }>(
    "select id, starts_at, ends_at from cycles where id = any($1)",
    [ids],
  );
  return new Map(
    rows
      .filter((row) => row.ends_at.getTime() > row.starts_at.getTime())
      .map((row) => [row.id, { start: row.starts_at.getTime(), end: row.ends_at.getTime() }]),
  );
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}
