import { verdictFor } from "@okr/scoring-rules";
import type { TreeNode } from "../shared/alignment-tree.ts";

/** The quarter report's figures, computed from goals' reads of the cycle (pure, so they are unit-tested). */

/** The fields the report reads of goals' GET /teams and GET /cycles/{id}/check-in-status. */
export interface Team {
  id: string;
  name: string;
}
export interface CheckInStatus {
  keyResults: {
    keyResultId: string;
    objectiveId: string;
    teamId: string | null;
    lastCheckInAt: string | null;
    missing: boolean;
  }[];
}

const KINDS = ["committed", "aspirational"] as const;
/** The grade an objective of each kind must reach to meet its expectation (scoring's verdictFor decides). */
export const EXPECTED_GRADE = { committed: 1, aspirational: 0.7 } as const;

const isKind = (kind: string): kind is (typeof KINDS)[number] => (KINDS as readonly string[]).includes(kind);

export const expectationMet = (objective: Pick<TreeNode, "kind" | "score">) =>
  objective.score !== null && isKind(objective.kind) && verdictFor(objective.kind, objective.score) === "met";

export interface KindFigures {
  kind: (typeof KINDS)[number];
  objectives: number;
  scored: number;
  met: number;
  /** The mean one-decimal grade of the scored ones; null when none is scored. */
  meanGrade: number | null;
}

export function figuresByKind(objectives: readonly TreeNode[]): KindFigures[] {
  return KINDS.map((kind) => {
    const ofKind = objectives.filter((o) => o.kind === kind);
    const grades = ofKind.flatMap((o) => (o.grade === null ? [] : [o.grade]));
    return {
      kind,
      objectives: ofKind.length,
      scored: grades.length,
      met: ofKind.filter(expectationMet).length,
      meanGrade: grades.length ? grades.reduce((a, b) => a + b, 0) / grades.length : null,
    };
  });
}

/** How many objectives got each grade, 0.0 to 1.0, and how many have none yet. */
export function gradeDistribution(
  objectives: readonly TreeNode[],
): { grade: number | null; count: number }[] {
  const bins = Array.from({ length: 11 }, (_, tenths) => ({ grade: tenths / 10, count: 0 }));
  let unscored = 0;
  for (const { grade } of objectives) {
    const bin = grade === null ? undefined : bins[Math.round(grade * 10)];
    if (bin) bin.count++;
    else unscored++;
  }
  return [...bins, { grade: null, count: unscored }];
}

export interface TeamDiscipline {
  teamId: string | null;
  name: string;
  keyResults: number;
  checkedIn: number;
  lastCheckInAt: string | null;
}

/** Per team: its key results and how many of them have had a check-in, with the latest check-in. */
export function disciplineByTeam(status: CheckInStatus, teams: readonly Team[]): TeamDiscipline[] {
  const names = new Map(teams.map((team) => [team.id, team.name]));
  const byTeam = new Map<string | null, TeamDiscipline>();
  for (const kr of status.keyResults) {
    const row = byTeam.get(kr.teamId) ?? {
      teamId: kr.teamId,
      name: kr.teamId === null ? "People without a team" : (names.get(kr.teamId) ?? "A team"),
      keyResults: 0,
      checkedIn: 0,
      lastCheckInAt: null,
    };
    row.keyResults++;
    if (kr.lastCheckInAt !== null) {
      row.checkedIn++;
      if (row.lastCheckInAt === null || kr.lastCheckInAt > row.lastCheckInAt)
        row.lastCheckInAt = kr.lastCheckInAt;
    }
    byTeam.set(kr.teamId, row);
  }
  return [...byTeam.values()].sort((a, b) => a.name.localeCompare(b.name));
}

export interface CarriedKeyResult {
  from: { id: string; title: string };
  to: { id: string; title: string; objectiveTitle: string };
}

/** This cycle's key results that a later cycle carries on (its KRs naming one as carriedFromKeyResultId). */
export function carriedForward(
  thisCycle: readonly TreeNode[],
  laterCycle: readonly TreeNode[],
): CarriedKeyResult[] {
  const titles = new Map(thisCycle.flatMap((o) => o.keyResults.map((kr) => [kr.id, kr.title] as const)));
  return laterCycle.flatMap((objective) =>
    objective.keyResults.flatMap((kr) => {
      const fromTitle = kr.carriedFromKeyResultId ? titles.get(kr.carriedFromKeyResultId) : undefined;
      return kr.carriedFromKeyResultId && fromTitle !== undefined
        ? [
            {
              from: { id: kr.carriedFromKeyResultId, title: fromTitle },
              to: { id: kr.id, title: kr.title, objectiveTitle: objective.title },
            },
          ]
        : [];
    }),
  );
}

/** The first cycle that starts once this one has ended (a day's slack for time zones), if any. */
export function nextCycle<C extends { id: string; startsAt: string; endsAt: string }>(
  cycles: readonly C[],
  cycleId: string,
): C | undefined {
  const self = cycles.find((c) => c.id === cycleId);
  if (!self) return undefined;
  return cycles
    .filter((c) => c.id !== cycleId && Date.parse(c.startsAt) >= Date.parse(self.endsAt) - 86_400_000)
    .sort((a, b) => Date.parse(a.startsAt) - Date.parse(b.startsAt))[0];
}
