import type { SqlRunner } from "@okr/database";
import {
  CycleGraded,
  type EventData,
  type EventDefinition,
  type EventEnvelope,
  EventRegistry,
  KeyResultScored,
  ObjectiveScored,
} from "@okr/events";
import { EventConsumer, type PgTransaction, pgTransaction } from "@okr/messaging";
import type { GoalsRuntime } from "../service.ts";

/**
 * Keeps the latest scores the scoring service publishes in read models shown beside the OKRs. Events
 * can arrive out of order across partitions: an older `asOf` never overwrites a newer score. The
 * scoring service publishes about two score events per check-in, so they are applied in batches: each
 * batch keeps the newest event per (tenant, entity) and upserts them in one statement per table.
 */
export function scoreConsumer(runtime: GoalsRuntime, groupId = `${runtime.consumerGroup}.scores`) {
  return new EventConsumer<PgTransaction>({
    bus: runtime.bus,
    groupId,
    registry: new EventRegistry([KeyResultScored, ObjectiveScored, CycleGraded] as never),
    transaction: (work) => pgTransaction(runtime.pool, work),
    log: runtime.log,
    maxBatchSize: 1000,
    partitionsConsumedConcurrently: 4,
    groupCommit: true,
    // Every upsert keeps the newest `asOf` (`gradedAt`): a redelivered event writes what is there.
    deduplicatesItself: () => true,
    handleBatch: async (events, tx) => {
      const scoredKeyResults = newest(events, KeyResultScored, {
        id: (d) => d.keyResultId,
        time: (d) => d.asOf,
      });
      const scoredObjectives = newest(events, ObjectiveScored, {
        id: (d) => d.objectiveId,
        time: (d) => d.asOf,
      });
      const gradedCycles = newest(events, CycleGraded, { id: (d) => d.cycleId, time: (d) => d.gradedAt });
      await upsertKeyResultScores(tx, scoredKeyResults);
      await upsertObjectiveScores(tx, scoredObjectives);
      await upsertCycleGrades(tx, gradedCycles);
    },
  });
}

/**
 * The newest event of the type per (tenant, entity), later in the batch winning a tie (as one upsert
 * after another would). Tenant stays in the key: another tenant's event for the same id must not
 * displace this one's (the upsert refuses it anyway). Sorted by entity id: the upsert locks rows in its
 * input order, and two batches (replicas, concurrent partitions) sharing rows must lock them in one order.
 */
function newest<D extends EventDefinition>(
  events: EventEnvelope[],
  definition: D,
  of: { id: (data: EventData<D>) => string; time: (data: EventData<D>) => string },
): { tenant: string; data: EventData<D> }[] {
  const kept = new Map<string, { tenant: string; id: string; data: EventData<D>; time: number }>();
  for (const event of events) {
    if (event.type !== definition.type) continue;
    const data = event.data as EventData<D>;
    const key = `${event.tenant}/${of.id(data)}`;
    const time = Date.parse(of.time(data));
    const seen = kept.get(key);
    if (!seen || seen.time <= time) kept.set(key, { tenant: event.tenant, id: of.id(data), data, time });
  }
  return [...kept.values()]
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map(({ tenant, data }) => ({ tenant, data }));
}

async function upsertKeyResultScores(
  sql: SqlRunner,
  rows: { tenant: string; data: EventData<typeof KeyResultScored> }[],
) {
  if (rows.length === 0) return;
  await sql.query(
    `insert into key_result_scores (key_result_id, tenant_id, objective_id, cycle_id, progress, score, confidence, policy_id, policy_version, as_of)
     select * from unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::float8[], $6::float8[], $7::float8[], $8::text[], $9::int[], $10::timestamptz[])
     on conflict (key_result_id) do update set
       objective_id = excluded.objective_id, cycle_id = excluded.cycle_id, progress = excluded.progress,
       score = excluded.score, confidence = excluded.confidence, policy_id = excluded.policy_id,
       policy_version = excluded.policy_version, as_of = excluded.as_of
     where key_result_scores.tenant_id = excluded.tenant_id and key_result_scores.as_of <= excluded.as_of`,
    [
      rows.map((r) => r.data.keyResultId),
      rows.map((r) => r.tenant),
      rows.map((r) => r.data.objectiveId),
      rows.map((r) => r.data.cycleId),
      rows.map((r) => r.data.progress),
      rows.map((r) => r.data.score),
      rows.map((r) => r.data.confidence),
      rows.map((r) => r.data.policy.id),
      rows.map((r) => r.data.policy.version),
      rows.map((r) => r.data.asOf),
    ],
  );
}

async function upsertObjectiveScores(
  sql: SqlRunner,
  rows: { tenant: string; data: EventData<typeof ObjectiveScored> }[],
) {
  if (rows.length === 0) return;
  await sql.query(
    `insert into objective_scores (objective_id, tenant_id, cycle_id, score, grade, band, at_risk, policy_id, policy_version, as_of)
     select * from unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::float8[], $5::float8[], $6::text[], $7::boolean[], $8::text[], $9::int[], $10::timestamptz[])
     on conflict (objective_id) do update set
       cycle_id = excluded.cycle_id, score = excluded.score, grade = excluded.grade, band = excluded.band,
       at_risk = excluded.at_risk, policy_id = excluded.policy_id, policy_version = excluded.policy_version,
       as_of = excluded.as_of
     where objective_scores.tenant_id = excluded.tenant_id and objective_scores.as_of <= excluded.as_of`,
    [
      rows.map((r) => r.data.objectiveId),
      rows.map((r) => r.tenant),
      rows.map((r) => r.data.cycleId),
      rows.map((r) => r.data.score),
      rows.map((r) => r.data.grade),
      rows.map((r) => r.data.band),
      rows.map((r) => r.data.atRisk),
      rows.map((r) => r.data.policy.id),
      rows.map((r) => r.data.policy.version),
      rows.map((r) => r.data.asOf),
    ],
  );
}

async function upsertCycleGrades(
  sql: SqlRunner,
  rows: { tenant: string; data: EventData<typeof CycleGraded> }[],
) {
  if (rows.length === 0) return;
  await sql.query(
    `insert into cycle_grades (cycle_id, tenant_id, organization_score, objectives_graded, policy_id, policy_version, graded_at)
     select * from unnest($1::uuid[], $2::uuid[], $3::float8[], $4::int[], $5::text[], $6::int[], $7::timestamptz[])
     on conflict (cycle_id) do update set
       organization_score = excluded.organization_score, objectives_graded = excluded.objectives_graded,
       policy_id = excluded.policy_id, policy_version = excluded.policy_version, graded_at = excluded.graded_at
     where cycle_grades.tenant_id = excluded.tenant_id and cycle_grades.graded_at <= excluded.graded_at`,
    [
      rows.map((r) => r.data.cycleId),
      rows.map((r) => r.tenant),
      rows.map((r) => r.data.organizationScore),
      rows.map((r) => r.data.objectivesGraded),
      rows.map((r) => r.data.policy.id),
      rows.map((r) => r.data.policy.version),
      rows.map((r) => r.data.gradedAt),
    ],
  );
}
