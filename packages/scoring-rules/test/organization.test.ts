import { describe, expect, it } from "vitest";
import {
  type AlignmentLink,
  buildAlignmentGraph,
  DEFAULT_SCORING_POLICY,
  type KeyResultInput,
  type ObjectiveInput,
  type OrganizationInput,
  recomputeScope,
  type ScoringPolicy,
  scoreObjective,
  scoreOrganization,
} from "../src/index.ts";

const blendHalf: ScoringPolicy = {
  ...DEFAULT_SCORING_POLICY,
  id: "blend",
  rollup: { mode: "blend-children", childShare: 0.5 },
};

/** A four-objective organization whose numbers are worked out by hand in the tests below. */
function exampleOrganization(policy: ScoringPolicy): OrganizationInput {
  const objectives: ObjectiveInput[] = [
    { id: "delight", teamId: "company", kind: "aspirational" },
    { id: "platform-speed", teamId: "platform", kind: "committed" },
    { id: "payments-reliability", teamId: "payments", kind: "aspirational" },
    { id: "payments-compliance", teamId: "payments", kind: "committed" },
  ];
  const at = (value: number, confidence?: number) => [{ id: "c1", recordedAt: 10, value, confidence }];
  const keyResults: KeyResultInput[] = [
    { id: "nps", objectiveId: "delight", type: "increase-to", baseline: 0, target: 100, checkIns: at(70) },
    {
      id: "checkout-v2",
      objectiveId: "delight",
      type: "milestone",
      milestones: ["design", "ship"],
      checkIns: [{ id: "c1", recordedAt: 10, completedMilestones: ["design"] }],
    },
    {
      id: "build-time",
      objectiveId: "platform-speed",
      type: "decrease-to",
      baseline: 40,
      target: 10,
      checkIns: at(10),
    },
    {
      id: "uptime",
      objectiveId: "payments-reliability",
      type: "stay-above",
      threshold: 99,
      checkIns: at(99.5, 0.9),
    },
    {
      id: "retries",
      objectiveId: "payments-reliability",
      type: "increase-to",
      baseline: 0,
      target: 10,
      weight: 3,
      checkIns: at(2, 0.3),
    },
    {
      id: "audit",
      objectiveId: "payments-compliance",
      type: "stay-between",
      low: 1,
      high: 5,
      checkIns: at(7),
    },
  ];
  const links: AlignmentLink[] = [
    { type: "aligns-to", objectiveId: "platform-speed", parentObjectiveId: "delight" },
    { type: "contributes-to", objectiveId: "payments-reliability", parentKeyResultId: "checkout-v2" },
  ];
  return { policy, cycle: { start: 0, end: 100 }, asOf: 50, objectives, keyResults, links };
}

describe("scoreOrganization worked example", () => {
  it("own-krs-only: objectives, teams and organization", () => {
    const result = scoreOrganization(exampleOrganization(DEFAULT_SCORING_POLICY));
    const objective = (id: string) => result.objectives.get(id)!;
    // delight = mean(0.7, 0.5); payments-reliability = (1 * 1 + 0.2 * 3) / 4.
    expect(objective("delight")).toMatchObject({
      score: 0.6,
      grade: 0.6,
      colour: "yellow",
      verdict: "missed",
    });
    expect(objective("platform-speed")).toMatchObject({
      score: 1,
      colour: "green",
      verdict: "met",
      topLevel: false,
    });
    expect(objective("payments-reliability").score).toBeCloseTo(0.4, 15);
    expect(objective("payments-compliance")).toMatchObject({ score: 0, colour: "red", verdict: "missed" });
    expect(result.teams.get("payments")).toMatchObject({ grade: 0.2, objectiveCount: 2 });
    expect(result.teams.get("company")!.score).toBe(0.6);
    // Top-level objectives are delight and payments-compliance.
    expect(result.organization).toEqual({ score: 0.3, grade: 0.3, colour: "red" });
    expect(result.keyResults.get("retries")).toMatchObject({ progress: 0.2, confidence: 0.3 });
  });

  it("blend-children: a parent mixes its own KRs with its aligned and contributing children", () => {
    const result = scoreOrganization(exampleOrganization(blendHalf));
    const delight = result.objectives.get("delight")!;
    // 0.5 * own 0.6 + 0.5 * mean(platform-speed 1, payments-reliability 0.4) = 0.65 -> grade 0.7.
    expect(delight.ownScore).toBe(0.6);
    expect(delight.score).toBeCloseTo(0.65, 15);
    expect(delight).toMatchObject({ grade: 0.7, colour: "green", verdict: "met" });
    expect(result.organization!.score).toBeCloseTo(0.325, 15);
    expect(result.policyFingerprint).toContain('"childShare":0.5');
  });

  it("reports pacing and confidence beside the score", () => {
    const result = scoreOrganization(exampleOrganization(DEFAULT_SCORING_POLICY));
    expect(result.expectedProgress).toBe(0.5);
    expect(result.objectives.get("payments-compliance")).toMatchObject({
      paceGap: 0.5,
      atRisk: true,
      atRiskReasons: ["behind-pace"],
      confidence: null,
    });
    // Weakest KR confidence (0.3) puts the objective at risk although its pace is fine.
    expect(result.objectives.get("payments-reliability")).toMatchObject({
      confidence: 0.3,
      atRiskReasons: ["low-confidence"],
    });
    expect(result.objectives.get("platform-speed")!.atRisk).toBe(false);
  });

  it("matches scoring each objective on its own", () => {
    const input = exampleOrganization(DEFAULT_SCORING_POLICY);
    const result = scoreOrganization(input);
    for (const objective of input.objectives) {
      const own = input.keyResults
        .filter((keyResult) => keyResult.objectiveId === objective.id)
        .map((keyResult) => ({
          score: result.keyResults.get(keyResult.id)!.score,
          weight: keyResult.weight,
        }));
      expect(result.objectives.get(objective.id)!.ownScore).toBe(scoreObjective(own));
    }
  });

  it("returns no organization score when there is nothing to score", () => {
    const empty = {
      ...exampleOrganization(DEFAULT_SCORING_POLICY),
      objectives: [],
      keyResults: [],
      links: [],
    };
    const result = scoreOrganization(empty);
    expect(result.organization).toBeNull();
    expect(result.teams.size).toBe(0);
  });
});

/** Builds objectives with one increase-to KR each, scored at the given progress, plus links. */
function graphOf(
  progress: Record<string, number>,
  links: AlignmentLink[],
  policy = blendHalf,
): OrganizationInput {
  const ids = Object.keys(progress);
  return {
    policy,
    cycle: { start: 0, end: 10 },
    asOf: 10,
    objectives: ids.map((id) => ({ id, teamId: `team-${id}`, kind: "aspirational" })),
    keyResults: ids.map((id) => ({
      id: `kr-${id}`,
      objectiveId: id,
      type: "increase-to",
      baseline: 0,
      target: 100,
      checkIns: [{ id: "c", recordedAt: 1, value: progress[id]! * 100 }],
    })),
    links,
  };
}

const aligns = (objectiveId: string, parentObjectiveId: string): AlignmentLink => ({
  type: "aligns-to",
  objectiveId,
  parentObjectiveId,
});

describe("roll-up over a diamond", () => {
  // a aligns to b and c, both align to d; e is a second child of b. a also contributes to b's KR.
  const links = [
    aligns("a", "b"),
    aligns("a", "c"),
    aligns("b", "d"),
    aligns("c", "d"),
    aligns("e", "b"),
    { type: "contributes-to", objectiveId: "a", parentKeyResultId: "kr-b" } as const,
    aligns("a", "b"),
  ];
  const diamond = graphOf({ a: 1, b: 0, c: 0, d: 0, e: 0 }, links);

  it("counts a child once per parent however many links join them", () => {
    const scores = scoreOrganization(diamond).objectives;
    // b = 0.5 * 0 + 0.5 * mean(a 1, e 0) = 0.25; a counted three times would give 0.375.
    expect(scores.get("b")!.score).toBe(0.25);
    expect(scores.get("c")!.score).toBe(0.5);
    // d = 0.5 * 0 + 0.5 * mean(b 0.25, c 0.5)
    expect(scores.get("d")!.score).toBe(0.1875);
  });

  it("lists each objective on the path to the root once, children first", () => {
    const graph = buildAlignmentGraph(diamond);
    const scope = recomputeScope(graph, "kr-a", blendHalf);
    expect(scope.objectiveIds[0]).toBe("a");
    expect(scope.objectiveIds.toSorted()).toEqual(["a", "b", "c", "d"]);
    expect(scope.objectiveIds.at(-1)).toBe("d");
    expect(scope.teamIds).toEqual(["team-a", "team-b", "team-c", "team-d"]);
    expect(scope.organization).toBe(true);
  });

  it("limits the scope to the owning objective when parents ignore children", () => {
    const graph = buildAlignmentGraph(diamond);
    expect(recomputeScope(graph, "kr-a", DEFAULT_SCORING_POLICY)).toEqual({
      keyResultId: "kr-a",
      objectiveIds: ["a"],
      teamIds: ["team-a"],
      organization: false,
    });
    expect(recomputeScope(graph, "kr-d", DEFAULT_SCORING_POLICY).organization).toBe(true);
    expect(() => recomputeScope(graph, "kr-zzz", DEFAULT_SCORING_POLICY)).toThrow(/not in the graph/);
  });
});

describe("invalid graphs", () => {
  it("names the objectives on a cycle", () => {
    const cyclic = graphOf({ x: 0.5, y: 0.5, z: 0.5 }, [
      aligns("x", "y"),
      { type: "contributes-to", objectiveId: "y", parentKeyResultId: "kr-z" },
      aligns("z", "x"),
    ]);
    expect(() => scoreOrganization(cyclic)).toThrow(/cycle: "(x|y|z)" -> "(x|y|z)" -> "(x|y|z)" -> "\1"/);
    expect(() => scoreOrganization(graphOf({ x: 0.5 }, [aligns("x", "x")]))).toThrow(/cycle: "x" -> "x"/);
    // A cycle is an error even when the policy would ignore children.
    expect(() =>
      buildAlignmentGraph(graphOf({ x: 0.5, y: 0.5 }, [aligns("x", "y"), aligns("y", "x")])),
    ).toThrow(expect.objectContaining({ code: "alignment-cycle" }));
  });

  it("rejects unknown references, duplicates and objectives without key results", () => {
    const base = graphOf({ x: 0.5, y: 0.5 }, []);
    expect(() => scoreOrganization({ ...base, links: [aligns("x", "nope")] })).toThrow(
      /unknown objective "nope"/,
    );
    expect(() =>
      scoreOrganization({
        ...base,
        links: [{ type: "contributes-to", objectiveId: "x", parentKeyResultId: "k?" }],
      }),
    ).toThrow(/unknown key result "k\?"/);
    expect(() =>
      scoreOrganization({ ...base, objectives: [...base.objectives, base.objectives[0]!] }),
    ).toThrow(/Objective id "x" appears twice/);
    const orphan: KeyResultInput = { ...base.keyResults[0]!, id: "kr-orphan", objectiveId: "ghost" };
    expect(() => scoreOrganization({ ...base, keyResults: [...base.keyResults, orphan] })).toThrow(
      /unknown objective "ghost"/,
    );
    expect(() => scoreOrganization({ ...base, keyResults: base.keyResults.slice(1) })).toThrow(
      /Objective "x" has no key results/,
    );
  });

  it("rejects bad weights, kinds and cycles windows with typed errors", () => {
    const base = graphOf({ x: 0.5 }, []);
    expect(() => scoreOrganization({ ...base, objectives: [{ ...base.objectives[0]!, weight: 0 }] })).toThrow(
      expect.objectContaining({ code: "invalid-weight" }),
    );
    const stretch = { ...base.objectives[0]!, kind: "stretch" } as unknown as ObjectiveInput;
    expect(() => scoreOrganization({ ...base, objectives: [stretch] })).toThrow(/committed or aspirational/);
    expect(() => scoreOrganization({ ...base, cycle: { start: 10, end: 0 } })).toThrow(
      expect.objectContaining({ code: "invalid-cycle" }),
    );
  });
});

describe("scale sanity", () => {
  it("scores 10,000 objectives with 30,000 key results and a deep alignment tree", () => {
    const objectives: ObjectiveInput[] = [];
    const keyResults: KeyResultInput[] = [];
    const links: AlignmentLink[] = [];
    for (let o = 0; o < 10_000; o++) {
      objectives.push({ id: `o${o}`, teamId: `t${o % 250}`, kind: o % 2 ? "committed" : "aspirational" });
      for (let k = 0; k < 3; k++) {
        const value = (o * 7 + k * 13) % 120;
        keyResults.push({
          id: `o${o}-k${k}`,
          objectiveId: `o${o}`,
          type: "increase-to",
          baseline: 0,
          target: 100,
          checkIns: [{ id: "c1", recordedAt: 1, value, confidence: 0.8 }],
        });
      }
      if (o > 0) links.push(aligns(`o${o}`, `o${Math.floor((o - 1) / 2)}`));
    }
    const result = scoreOrganization({
      policy: blendHalf,
      cycle: { start: 0, end: 2 },
      asOf: 1,
      objectives,
      keyResults,
      links,
    });
    expect(result.objectives.size).toBe(10_000);
    expect(result.keyResults.size).toBe(30_000);
    expect(result.teams.size).toBe(250);
    const leaf = result.objectives.get("o9999")!;
    const leafKrScores = [0, 1, 2].map((k) => Math.min(1, ((9999 * 7 + k * 13) % 120) / 100));
    expect(leaf.score).toBeCloseTo((leafKrScores[0]! + leafKrScores[1]! + leafKrScores[2]!) / 3, 12);
    expect(result.organization!.score).toBe(result.objectives.get("o0")!.score);
  });
});
