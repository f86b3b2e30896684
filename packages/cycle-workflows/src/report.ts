import type { CarryForwardRefusal, GradingSummary, RetrospectiveSummary } from "./activities.ts";
import type { CycleReport } from "./api.ts";

const MAX_LESSONS = 50;

const mean = (values: number[]): number | null =>
  values.length === 0 ? null : Math.round((values.reduce((a, b) => a + b, 0) / values.length) * 1000) / 1000;

/** Key results to carry into the next cycle: those the teams chose, then those of objectives that fell short. */
export function carryForward(
  grading: GradingSummary | undefined,
  retrospectives: RetrospectiveSummary,
): string[] {
  return [
    ...new Set([...retrospectives.carryForwardKeyResultIds, ...(grading?.unfinishedKeyResultIds ?? [])]),
  ];
}

/**
 * The cycle report (pure): grades against each kind's expectation (committed objectives are expected
 * at 1.0, aspirational ones at 0.7: the scoring service decides `expectationMet`), check-in discipline,
 * retrospective coverage and lessons.
 */
export function buildCycleReport(input: {
  cycleId: string;
  grading: GradingSummary | undefined;
  retrospectives: RetrospectiveSummary;
  teams: number;
  next: { nextCycleId: string; draftsCreated: number; refused?: CarryForwardRefusal[] } | null;
}): CycleReport {
  const { grading, retrospectives } = input;
  const ofKind = (kind: "committed" | "aspirational") => {
    const objectives = grading?.objectives.filter((objective) => objective.kind === kind) ?? [];
    return {
      objectives: objectives.length,
      met: objectives.filter((objective) => objective.expectationMet).length,
      meanScore: mean(objectives.map((objective) => objective.score)),
    };
  };
  const discipline = grading?.checkInDiscipline ?? { keyResults: 0, withCheckIns: 0, checkInsTotal: 0 };
  return {
    cycleId: input.cycleId,
    organizationScore: grading?.organizationScore ?? null,
    gradesComplete: grading?.complete ?? false,
    committed: ofKind("committed"),
    aspirational: ofKind("aspirational"),
    checkInDiscipline: {
      ...discipline,
      ratio:
        discipline.keyResults === 0
          ? null
          : Math.round((discipline.withCheckIns / discipline.keyResults) * 1000) / 1000,
    },
    retrospectives: { teams: input.teams, submitted: new Set(retrospectives.teamIds).size },
    lessons: retrospectives.lessons.filter((lesson) => lesson.trim().length > 0).slice(0, MAX_LESSONS),
    carriedForwardKeyResultIds: carryForward(grading, retrospectives),
    nextCycleId: input.next?.nextCycleId ?? null,
    draftsProposed: input.next?.draftsCreated ?? 0,
    carryForwardRefused: input.next?.refused ?? [],
  };
}
