// The scorer's entry points: a consumer batch (applyGoalsEvents), the roll-up it requests
// (rollUpObjectives, rollUpTenant, tenantsToRollUp) and a live-policy re-score (rescoreTenant).
import { arrayLiteral, type SqlRunner } from "@okr/database";
import type { EventEnvelope } from "@okr/events";
import { type PendingEvent, pgTransaction, publishEvents } from "@okr/messaging";
import { type SpanOptions, withSpan } from "@okr/telemetry";
import type pg from "pg";
import { livePolicies } from "../policies.ts";
import { keyResultScoredEvents, rescoreKeyResults } from "./key-result-scores.ts";
import { BATCH_LOCK, lockTenants, ROLL_UP_LOCK } from "./locks.ts";
import { rescoreObjectives } from "./objective-roll-up.ts";
import {
  applyCheckIns,
  applyCycles,
  applyKeyResults,
  applyObjectiveStates,
  applyObjectives,
  applyTeams,
  collectChanges,
} from "./read-model.ts";

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
  client: SqlRunner,
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
  client: SqlRunner,
  tx: SqlRunner,
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
export async function tenantsToRollUp(client: SqlRunner): Promise<string[]> {
  const { rows } = await client.query<{ tenant_id: string }>(
    "select distinct tenant_id from objective_roll_up_requests",
  );
  return rows.map((row) => row.tenant_id);
}

/**
 * Re-scores every KR and objective of a tenant under its current live policy (after that policy
 * changed), through the same path a check-in takes, in the caller's transaction. Holds both of the
 * tenant's locks (batch, then roll-up: the one order every transaction takes them in).
 */
export async function rescoreTenant(
  client: SqlRunner,
  tx: SqlRunner,
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
