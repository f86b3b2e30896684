import { columnsOf, type SqlRunner } from "@okr/database";
import {
  CycleGraded,
  type EventData,
  type EventDefinition,
  type EventEnvelope,
  KeyResultScored,
  ObjectiveScored,
} from "@okr/events";
import { EventConsumer, type PgTransaction } from "@okr/messaging";
import { runtimeConsumer } from "@okr/service-kit";
import type { GoalsRuntime } from "../service.ts";

/**
 * Keeps the latest scores the scoring service publishes in read models shown beside the OKRs. Events
 * can arrive out of order across partitions: an older `asOf` never overwrites a newer score. The
 * scoring service publishes about two score events per check-in, so they are applied in batches: each
 * batch keeps the newest event per (tenant, entity) and upserts them in one statement per table.
 */
export function scoreConsumer(runtime: GoalsRuntime, groupId = `${runtime.consumerGroup}.scores`) {
  return new EventConsumer<PgTransaction>({
    ...runtimeConsumer(runtime, groupId, [KeyResultScored, ObjectiveScored, CycleGraded]),
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
      await upsertKeyResultScores(tx.client, scoredKeyResults);
      await upsertObjectiveScores(tx.client, scoredObjectives);
      await upsertCycleGrades(tx.client, gradedCycles);
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

/**
 * The upsert of a score read model: `columns` are its columns with their Postgres types, the entity's key
 * first, tenant_id second, then the values `row` gives, the event's policy id and version and last the
 * time that orders versions (`time`). One statement writes the whole batch; an older time never
 * overwrites a newer one, and another tenant's row is never touched.
 */
function newestWins<D extends typeof KeyResultScored | typeof ObjectiveScored | typeof CycleGraded>(
  table: string,
  columns: string,
  row: (tenant: string, data: EventData<D>) => unknown[],
  time: (data: EventData<D>) => string,
) {
  const typed = columns.split(",").map((column) => column.trim().split(" ") as [string, string]);
  const names = typed.map(([name]) => name);
  const key = names[0]!;
  const last = names.at(-1)!;
  const statement = `insert into ${table} (${names.join(", ")})
     select * from unnest(${typed.map(([, type], i) => `$${i + 1}::${type}[]`).join(", ")})
     on conflict (${key}) do update set
       ${names
         .slice(2)
         .map((name) => `${name} = excluded.${name}`)
         .join(", ")}
     where ${table}.tenant_id = excluded.tenant_id and ${table}.${last} <= excluded.${last}`;
  return async (sql: SqlRunner, rows: { tenant: string; data: EventData<D> }[]) => {
    if (rows.length === 0) return;
    await sql.query(
      statement,
      columnsOf(rows, ({ tenant, data }) => [
        ...row(tenant, data),
        data.policy.id,
        data.policy.version,
        time(data),
      ]),
    );
  };
}

const upsertKeyResultScores = newestWins<typeof KeyResultScored>(
  "key_result_scores",
  "key_result_id uuid, tenant_id uuid, objective_id uuid, cycle_id uuid, progress float8, score float8, confidence float8, policy_id text, policy_version int, as_of timestamptz",
  (tenant, d) => [d.keyResultId, tenant, d.objectiveId, d.cycleId, d.progress, d.score, d.confidence],
  (d) => d.asOf,
);

const upsertObjectiveScores = newestWins<typeof ObjectiveScored>(
  "objective_scores",
  "objective_id uuid, tenant_id uuid, cycle_id uuid, score float8, grade float8, band text, at_risk boolean, policy_id text, policy_version int, as_of timestamptz",
  (tenant, d) => [d.objectiveId, tenant, d.cycleId, d.score, d.grade, d.band, d.atRisk],
  (d) => d.asOf,
);

const upsertCycleGrades = newestWins<typeof CycleGraded>(
  "cycle_grades",
  "cycle_id uuid, tenant_id uuid, organization_score float8, objectives_graded int, policy_id text, policy_version int, graded_at timestamptz",
  (tenant, d) => [d.cycleId, tenant, d.organizationScore, d.objectivesGraded],
  (d) => d.gradedAt,
);
