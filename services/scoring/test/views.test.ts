import { DEFAULT_SCORING_POLICY } from "@okr/scoring-rules";
import { describe, expect, it } from "vitest";
import { atRisk, type CycleObjective, cycleScores, heatmap } from "../src/views.ts";

const objective = (id: string, fields: Partial<CycleObjective>): CycleObjective => ({
  id,
  title: id,
  kind: "aspirational",
  owner_kind: "team",
  owner_id: "platform",
  weight: 1,
  score: 0.5,
  confidence: null,
  aligned_to_objective_id: null,
  contributes_to_objective_id: null,
  ...fields,
});

// Two company objectives; "shared" contributes to both (aligns to one, contributes to a KR of the other).
const objectives = [
  objective("growth", { owner_id: "leadership", score: 0.6, weight: 2 }),
  objective("quality", { owner_id: "leadership", score: 0.3 }),
  objective("shared", {
    score: 0.9,
    aligned_to_objective_id: "growth",
    contributes_to_objective_id: "quality",
  }),
  objective("deep", { score: 0.5, weight: 3, aligned_to_objective_id: "shared" }),
  objective("sales", { owner_id: "sales", score: 0.2, aligned_to_objective_id: "growth" }),
  objective("draft", { owner_id: "sales", score: null, aligned_to_objective_id: "quality" }),
  objective("solo", { owner_kind: "person", owner_id: "pat", score: 1, aligned_to_objective_id: "draft" }),
];

describe("cycle views over live objective scores", () => {
  it("organization = weighted mean of top-level objectives; a link to an unscored objective does not count", () => {
    const scores = cycleScores(objectives);
    // Top level: growth (0.6 x 2), quality (0.3), solo (its parent "draft" has no score): (1.2 + 0.3 + 1) / 4.
    expect(scores.organization).toEqual({ score: 0.625, grade: 0.6, band: "yellow" });
    expect(scores.teams).toEqual([
      { teamId: "leadership", objectiveCount: 2, score: 0.5, grade: 0.5, band: "yellow" },
      { teamId: "platform", objectiveCount: 2, score: (0.9 + 0.5 * 3) / 4, grade: 0.6, band: "yellow" },
      { teamId: "sales", objectiveCount: 1, score: 0.2, grade: 0.2, band: "red" },
    ]);
    expect(scores.objectivesUnscored).toBe(1);
  });

  it("heatmap: each team's objectives count under every top-level objective they roll up to", () => {
    const map = heatmap(objectives, new Map([["platform", "Platform"]]));
    expect(map.objectives.map((o) => o.objectiveId)).toEqual(["growth", "quality", "solo"]);
    const platform = map.teams.find((team) => team.teamId === "platform")!;
    expect(platform.name).toBe("Platform");
    // "shared" and "deep" reach both growth and quality (the diamond), each counted once per column.
    expect(platform.cells).toEqual([
      { objectiveId: "growth", objectiveCount: 2, score: 0.6, grade: 0.6, band: "yellow" },
      { objectiveId: "quality", objectiveCount: 2, score: 0.6, grade: 0.6, band: "yellow" },
    ]);
    const sales = map.teams.find((team) => team.teamId === "sales")!;
    expect(sales.cells).toEqual([
      { objectiveId: "growth", objectiveCount: 1, score: 0.2, grade: 0.2, band: "red" },
    ]);
    // Person-owned objectives are columns when top-level, never rows.
    expect(map.teams.map((team) => team.teamId)).toEqual(["leadership", "platform", "sales"]);
  });

  it("at-risk: behind the cycle's pace by more than the policy's gap, or low confidence; lowest score first", () => {
    const window = { start: 0, end: 100 };
    const items = atRisk(
      [
        objective("a", { score: 0.5 }),
        objective("b", { score: 0.1 }),
        objective("c", { score: 0.9, confidence: 0.3 }),
      ],
      window,
      DEFAULT_SCORING_POLICY,
      60,
    );
    expect(items.map((item) => [item.objectiveId, item.expected, item.reasons])).toEqual([
      ["b", 0.6, ["behind-pace"]],
      ["c", 0.6, ["low-confidence"]],
    ]);
  });
});
