import { describe, expect, it } from "vitest";
import {
  carriedForward,
  disciplineByTeam,
  expectationMet,
  figuresByKind,
  gradeDistribution,
} from "../app/report-figures.ts";
import type { TreeNode } from "../shared/alignment-tree.ts";

/** Only the fields the report reads; the rest of an objective does not enter its figures. */
const objective = (
  kind: string,
  score: number | null,
  keyResults: { id: string; title: string; carriedFromKeyResultId?: string }[] = [],
) =>
  ({
    id: `${kind}-${score}`,
    title: `${kind} ${score}`,
    kind,
    score,
    grade: score === null ? null : Math.round(score * 10) / 10,
    keyResults: keyResults.map((kr) => ({ carriedFromKeyResultId: null, contributors: [], ...kr })),
    children: [],
  }) as unknown as TreeNode;

describe("the quarter report's figures", () => {
  it("counts an objective as met at 1.0 when committed and at 0.7 when aspirational, never unscored", () => {
    expect(expectationMet(objective("committed", 1))).toBe(true);
    expect(expectationMet(objective("committed", 0.9))).toBe(false);
    expect(expectationMet(objective("aspirational", 0.65))).toBe(true);
    expect(expectationMet(objective("aspirational", 0.6))).toBe(false);
    expect(expectationMet(objective("aspirational", null))).toBe(false);
  });

  it("sets committed against aspirational: objectives, scored, met and the mean grade", () => {
    const figures = figuresByKind([
      objective("committed", 1),
      objective("committed", 0.4),
      objective("aspirational", 0.7),
      objective("aspirational", null),
    ]);
    expect(figures).toEqual([
      { kind: "committed", objectives: 2, scored: 2, met: 1, meanGrade: 0.7 },
      { kind: "aspirational", objectives: 2, scored: 1, met: 1, meanGrade: 0.7 },
    ]);
  });

  it("distributes grades over 0.0 to 1.0 and counts the unscored apart", () => {
    const bins = gradeDistribution([
      objective("committed", 0.4),
      objective("committed", 0.44),
      objective("x", null),
    ]);
    expect(bins).toHaveLength(12);
    expect(bins.find((b) => b.grade === 0.4)?.count).toBe(2);
    expect(bins.at(-1)).toEqual({ grade: null, count: 1 });
    expect(bins.reduce((sum, b) => sum + b.count, 0)).toBe(3);
  });

  it("sums check-in discipline per team, with the latest check-in and the people without a team", () => {
    const kr = (teamId: string | null, lastCheckInAt: string | null) => ({
      keyResultId: "k",
      objectiveId: "o",
      teamId,
      lastCheckInAt,
      missing: lastCheckInAt === null,
    });
    const rows = disciplineByTeam(
      {
        keyResults: [
          kr("t1", "2026-11-01T00:00:00.000Z"),
          kr("t1", null),
          kr("t1", "2026-11-20T00:00:00.000Z"),
          kr(null, null),
        ],
      },
      [{ id: "t1", name: "Lending" }],
    );
    expect(rows).toEqual([
      {
        teamId: "t1",
        name: "Lending",
        keyResults: 3,
        checkedIn: 2,
        lastCheckInAt: "2026-11-20T00:00:00.000Z",
      },
      { teamId: null, name: "People without a team", keyResults: 1, checkedIn: 0, lastCheckInAt: null },
    ]);
  });

  it("finds the key results a later cycle carries forward from this one", () => {
    const thisCycle = [objective("committed", 0.5, [{ id: "k1", title: "Cut lead time" }])];
    const later = [
      objective("committed", null, [
        { id: "k9", title: "Cut lead time further", carriedFromKeyResultId: "k1" },
        { id: "k8", title: "Something new" },
        { id: "k7", title: "From an older cycle", carriedFromKeyResultId: "k0" },
      ]),
    ];
    expect(carriedForward(thisCycle, later)).toEqual([
      {
        from: { id: "k1", title: "Cut lead time" },
        to: { id: "k9", title: "Cut lead time further", objectiveTitle: "committed null" },
      },
    ]);
  });
});
