// KR re-scoring from the check-ins a score depends on (each KR's stored recent check-ins plus the ones a
// batch added), and the KR score events a roll-up publishes.
import { arrayLiteral, literalColumnsOf, type SqlRunner } from "@okr/database";
import { KeyResultScored } from "@okr/events";
import type { PendingEvent } from "@okr/messaging";
import {
  isLaterCheckIn,
  type KeyResultDefinition,
  type ScoringPolicy,
  scoreKeyResult,
} from "@okr/scoring-rules";
import { type CheckInRow, checkInOf, type KeyResultRow, keyResultDefinition } from "../model.ts";
import type { AddedCheckIns } from "./read-model.ts";

/** okr.key-result.scored.v1 for each of these KRs, from its committed row. */
export async function keyResultScoredEvents(
  client: SqlRunner,
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
 * How a re-score learns each KR's check-ins without reading its history: the count and the latest
 * check-ins (`recent_check_ins`, as many as the policy's confidence-trend window) stored by the KR's last
 * re-score, plus the check-ins this transaction added. Every insert of a check-in for a stored KR
 * re-scores that KR in the same transaction, so what is stored is always complete, except for a KR that
 * was (re)defined in this batch (its check-ins may have arrived before it): those are `recount`, read
 * from check_ins. Without this argument every KR is read from check_ins.
 */
export interface CheckInCounting {
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
export async function rescoreKeyResults(
  client: SqlRunner,
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
      ...literalColumnsOf(updates, (u) => [
        u.id,
        u.progress,
        u.score,
        u.confidence,
        u.trend,
        u.current,
        u.count,
      ]),
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
  client: SqlRunner,
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
