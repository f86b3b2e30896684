import type { SqlRunner } from "@okr/database";
import {
  assessRisk,
  colourOf,
  expectedProgress,
  type GradeColour,
  gradeOf,
  type ScoringPolicy,
  weightedMean,
} from "@okr/scoring-rules";
import type { ObjectiveRow } from "./recompute.ts";

/** A scored (or not yet scored) objective of a cycle, with its parent links resolved to objective ids. */
export interface CycleObjective extends Omit<ObjectiveRow, "contributes_to_key_result_id"> {
  score: number | null;
  confidence: number | null;
  contributes_to_objective_id: string | null;
}

/** The cycle's objectives as the live scores stand; empty when the cycle is unknown to this tenant. */
export async function cycleObjectives(
  db: SqlRunner,
  tenant: string,
  cycleId: string,
): Promise<CycleObjective[]> {
  const { rows } = await db.query<CycleObjective>(
    `select o.id, o.title, o.kind, o.owner_kind, o.owner_id, o.weight, o.score, o.confidence,
            o.aligned_to_objective_id, k.objective_id as contributes_to_objective_id
       from objectives o
       left join key_results k on k.id = o.contributes_to_key_result_id and k.tenant_id = o.tenant_id
      where o.tenant_id = $1 and o.cycle_id = $2
      order by o.id`,
    [tenant, cycleId],
  );
  return rows;
}

export async function cycleKnown(db: SqlRunner, tenant: string, cycleId: string): Promise<boolean> {
  const { rows } = await db.query(
    `select 1 from cycles where id = $2 and tenant_id = $1
     union all select 1 from objectives where tenant_id = $1 and cycle_id = $2
     union all select 1 from key_results where tenant_id = $1 and cycle_id = $2 limit 1`,
    [tenant, cycleId],
  );
  return rows.length > 0;
}

const graded = (score: number) => ({ score, grade: gradeOf(score), band: colourOf(score) as GradeColour });

/** Distinct scored parents of each scored objective (links to unscored objectives do not count). */
function parentsOf(objectives: CycleObjective[]): Map<string, string[]> {
  const scored = new Map(objectives.filter((o) => o.score !== null).map((o) => [o.id, o]));
  const parents = new Map<string, string[]>();
  for (const objective of scored.values()) {
    const linked = new Set(
      [objective.aligned_to_objective_id, objective.contributes_to_objective_id].filter(
        (id): id is string => id !== null && id !== objective.id && scored.has(id),
      ),
    );
    parents.set(objective.id, [...linked].sort());
  }
  return parents;
}

const meanOf = (objectives: CycleObjective[]) =>
  weightedMean(
    objectives.map((o) => o.score!),
    objectives.map((o) => o.weight),
  );

/** Organization score (weighted mean of top-level objectives) and each team's score, from live scores. */
export function cycleScores(objectives: CycleObjective[]) {
  const parents = parentsOf(objectives);
  const scored = objectives.filter((o) => o.score !== null);
  const topLevel = scored.filter((o) => parents.get(o.id)!.length === 0);
  const teams = new Map<string, CycleObjective[]>();
  for (const objective of scored) {
    if (objective.owner_kind !== "team") continue;
    const list = teams.get(objective.owner_id);
    if (list) list.push(objective);
    else teams.set(objective.owner_id, [objective]);
  }
  return {
    organization: topLevel.length > 0 ? graded(meanOf(topLevel)) : null,
    topLevel,
    teams: [...teams]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([teamId, owned]) => ({ teamId, objectiveCount: owned.length, ...graded(meanOf(owned)) })),
    objectivesScored: scored.length,
    objectivesUnscored: objectives.length - scored.length,
  };
}

/**
 * Team x top-level objective: each cell is the weighted mean of the team's objectives that roll up
 * (through aligns-to and contributes-to links) to that top-level objective, so leaders see where each
 * team moves the organization's objectives.
 */
export function heatmap(objectives: CycleObjective[], teamNames: Map<string, string>) {
  const parents = parentsOf(objectives);
  const roots = new Map<string, Set<string>>();
  const rootsOf = (id: string, path: Set<string>): Set<string> => {
    const known = roots.get(id);
    if (known) return known;
    const up = parents.get(id) ?? [];
    const found = new Set<string>();
    if (up.length === 0) found.add(id);
    for (const parent of up) {
      if (path.has(parent)) continue; // an alignment loop: stop climbing
      for (const root of rootsOf(parent, new Set([...path, parent]))) found.add(root);
    }
    roots.set(id, found);
    return found;
  };
  const { topLevel, teams } = cycleScores(objectives);
  const columns = topLevel.map((o) => ({ objectiveId: o.id, title: o.title, ...graded(o.score!) }));
  const rows = teams.map((team) => {
    const owned = objectives.filter(
      (o) => o.score !== null && o.owner_kind === "team" && o.owner_id === team.teamId,
    );
    const cells = columns.flatMap((column) => {
      const contributing = owned.filter((o) => rootsOf(o.id, new Set([o.id])).has(column.objectiveId));
      if (contributing.length === 0) return [];
      return [
        {
          objectiveId: column.objectiveId,
          objectiveCount: contributing.length,
          ...graded(meanOf(contributing)),
        },
      ];
    });
    return {
      teamId: team.teamId,
      name: teamNames.get(team.teamId) ?? null,
      score: team.score,
      grade: team.grade,
      band: team.band,
      cells,
    };
  });
  return { objectives: columns, teams: rows };
}

/** A cycle's window in epoch ms, or null when unknown or empty (no pace then). */
export function cycleWindow(
  startsAt: Date | null,
  endsAt: Date | null,
): { start: number; end: number } | null {
  if (!startsAt || !endsAt || !(endsAt > startsAt)) return null;
  return { start: startsAt.getTime(), end: endsAt.getTime() };
}

/**
 * The progress expected by `now` (the share of the cycle elapsed, the at-risk report's pace) and how far
 * the score trails it (positive: behind pace, negative: ahead). Computed at read time, so it moves with
 * the clock without any re-score; null when the cycle window or the score is not known yet.
 */
export function pace(
  window: { start: number; end: number } | null,
  score: number | null,
  now: number,
): { expectedProgress: number | null; gapToExpected: number | null } {
  if (!window) return { expectedProgress: null, gapToExpected: null };
  const expected = expectedProgress(window, now);
  return { expectedProgress: expected, gapToExpected: score === null ? null : expected - score };
}

/** Objectives behind pace or with low confidence at `now`, worst gap first. */
export function atRisk(
  objectives: CycleObjective[],
  window: { start: number; end: number } | null,
  policy: ScoringPolicy,
  now: number,
) {
  const expected = window ? expectedProgress(window, now) : 0;
  return objectives
    .filter((o) => o.score !== null)
    .map((o) => ({ o, risk: assessRisk(o.score!, o.confidence, expected, policy) }))
    .filter(({ risk }) => risk.atRisk)
    .sort((a, b) => a.o.score! - b.o.score! || a.o.id.localeCompare(b.o.id))
    .map(({ o, risk }) => ({
      objectiveId: o.id,
      title: o.title,
      score: o.score!,
      expected,
      confidence: o.confidence,
      reasons: [...risk.reasons],
    }));
}
