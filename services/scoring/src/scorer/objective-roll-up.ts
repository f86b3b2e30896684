// The objectives' roll-up: re-scores objectives from their KRs' and children's committed scores,
// children first, and records and announces the ones that moved.
import { arrayLiteral, literalColumnsOf, type SqlRunner } from "@okr/database";
import { ObjectiveScored } from "@okr/events";
import type { PendingEvent } from "@okr/messaging";
import {
  assessRisk,
  colourOf,
  expectedProgress,
  gradeOf,
  rolledObjectiveScore,
  type ScoringPolicy,
  scoreObjective,
} from "@okr/scoring-rules";

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
export async function rescoreObjectives(
  client: SqlRunner,
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
      ...literalColumnsOf(updates, (u) => [
        u.id,
        u.own,
        u.score,
        u.grade,
        u.band,
        u.confidence,
        u.policy.id,
        u.policy.version,
      ]),
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
      literalColumnsOf(moved, (u) => {
        const before = byId.get(u.id)!;
        return [
          before.tenant_id,
          u.id,
          before.cycle_id,
          u.score,
          u.grade,
          u.band,
          u.policy.id,
          u.policy.version,
          now.toISOString(),
        ];
      }),
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

async function loadCycleWindows(client: SqlRunner, ids: string[]) {
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
