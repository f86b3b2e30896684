import { OBJECTIVE_KINDS, type ObjectiveKind } from "@okr/goals-domain";
import { type AlignmentGraph, type AlignmentLink, buildAlignmentGraph } from "./alignment-graph.ts";
import { ScoringError } from "./errors.ts";
import { assertValidWeight, MeanAccumulator, weightedMean } from "./exact-sum.ts";
import { colourOf, type GradeColour, gradeOf, verdictFor } from "./grade.ts";
import { scoreKeyResultUnderPolicy } from "./key-result.ts";
import { type AtRiskReason, assessRisk, type CycleWindow, expectedProgress } from "./pacing.ts";
import { assertValidPolicy, policyFingerprint, type ScoringPolicy } from "./policy.ts";
import type { CheckIn, KeyResultDefinition, KeyResultScore } from "./types.ts";

export interface ObjectiveInput {
  readonly id: string;
  readonly teamId: string;
  readonly kind: ObjectiveKind;
  /** Weight in its team's, parents' and the organization's means; 1 when omitted, otherwise > 0. */
  readonly weight?: number;
}

/** A key result with its owner, weight within the objective (default 1) and its set of check-ins. */
export type KeyResultInput = KeyResultDefinition & {
  readonly objectiveId: string;
  readonly weight?: number;
  readonly checkIns: readonly CheckIn[];
};

/** Everything needed to score one organization's cycle; time is always an input. */
export interface OrganizationInput {
  readonly policy: ScoringPolicy;
  readonly cycle: CycleWindow;
  /** Epoch ms the scores are computed for; check-ins recorded later are ignored. */
  readonly asOf: number;
  readonly objectives: readonly ObjectiveInput[];
  readonly keyResults: readonly KeyResultInput[];
  readonly links?: readonly AlignmentLink[];
}

/** A score with its one-decimal grade and colour band. */
export interface GradedScore {
  readonly score: number;
  readonly grade: number;
  readonly colour: GradeColour;
}

export interface ObjectiveScore extends GradedScore {
  readonly objectiveId: string;
  readonly teamId: string;
  readonly kind: ObjectiveKind;
  /** Weighted mean of its own key result scores. */
  readonly ownScore: number;
  readonly verdict: "met" | "missed";
  /** Lowest latest confidence among its key results (the weakest KR drives risk); null when none reported. */
  readonly confidence: number | null;
  /** Expected progress minus score; positive means behind pace. */
  readonly paceGap: number;
  readonly atRisk: boolean;
  readonly atRiskReasons: readonly AtRiskReason[];
  /** True when it aligns to / contributes to nothing, so it counts in the organization score. */
  readonly topLevel: boolean;
}

export interface TeamScore extends GradedScore {
  readonly teamId: string;
  readonly objectiveCount: number;
}

export interface OrganizationScore {
  readonly policyId: string;
  readonly policyVersion: number;
  readonly policyFingerprint: string;
  readonly asOf: number;
  readonly expectedProgress: number;
  readonly keyResults: ReadonlyMap<string, KeyResultScore>;
  readonly objectives: ReadonlyMap<string, ObjectiveScore>;
  readonly teams: ReadonlyMap<string, TeamScore>;
  /** Weighted mean of the top-level objectives; null for an organization without objectives. */
  readonly organization: GradedScore | null;
}

/** Objective score: weighted mean of its key results' scores (weights default to 1 and must be > 0). */
export function scoreObjective(
  keyResults: readonly { readonly score: number; readonly weight?: number }[],
): number {
  if (keyResults.length === 0) {
    throw new ScoringError("invalid-objective", "An objective needs at least one key result to be scored.");
  }
  const scores = keyResults.map((keyResult, position) => {
    if (!(keyResult.score >= 0 && keyResult.score <= 1)) {
      throw new ScoringError(
        "invalid-score",
        `Key result score ${keyResult.score} at position ${position} is outside 0-1.`,
      );
    }
    return keyResult.score;
  });
  return weightedMean(
    scores,
    keyResults.map((keyResult) => keyResult.weight ?? 1),
  );
}

/**
 * Scores every key result, objective, team and the organization in one linear pass over the graph.
 * The numbers depend only on the sets of inputs, never on their order.
 */
export function scoreOrganization(input: OrganizationInput): OrganizationScore {
  const policy = assertValidPolicy(input.policy);
  const expected = expectedProgress(input.cycle, input.asOf);
  const graph = buildAlignmentGraph(input);
  const { objectives, keyResults, asOf } = input;
  const objectiveCount = objectives.length;

  const keyResultScores = new Map<string, KeyResultScore>();
  const krScore = new Float64Array(keyResults.length);
  const krWeight = new Float64Array(keyResults.length);
  const krConfidence = new Float64Array(keyResults.length);
  for (let k = 0; k < keyResults.length; k++) {
    const keyResult = keyResults[k]!;
    if (!Array.isArray(keyResult.checkIns)) {
      throw new ScoringError(
        "invalid-check-in",
        `Key result "${keyResult.id}" needs a checkIns array (may be empty).`,
      );
    }
    const result = scoreKeyResultUnderPolicy(keyResult, keyResult.checkIns, policy, asOf);
    krWeight[k] = weightOf(keyResult.weight, `key result "${keyResult.id}"`);
    krScore[k] = result.score;
    krConfidence[k] = result.confidence ?? Number.NaN; // NaN marks "no confidence reported"
    keyResultScores.set(keyResult.id, result);
  }

  const objectiveWeight = new Float64Array(objectiveCount);
  const ownScore = new Float64Array(objectiveCount);
  const objectiveConfidence = new Float64Array(objectiveCount);
  for (let o = 0; o < objectiveCount; o++) {
    const objective = objectives[o]!;
    if (!OBJECTIVE_KINDS.includes(objective.kind)) {
      throw new ScoringError(
        "invalid-objective",
        `Objective "${objective.id}" needs kind committed or aspirational.`,
      );
    }
    objectiveWeight[o] = weightOf(objective.weight, `objective "${objective.id}"`);
    const first = graph.keyResultStart[o]!;
    const end = graph.keyResultStart[o + 1]!;
    if (first === end) {
      throw new ScoringError("invalid-objective", `Objective "${objective.id}" has no key results to score.`);
    }
    const mean = new MeanAccumulator();
    let lowestConfidence = Number.POSITIVE_INFINITY;
    for (let i = first; i < end; i++) {
      const k = graph.keyResultList[i]!;
      mean.add(krScore[k]!, krWeight[k]!);
      if (krConfidence[k]! < lowestConfidence) lowestConfidence = krConfidence[k]!;
    }
    ownScore[o] = mean.mean();
    objectiveConfidence[o] = lowestConfidence === Number.POSITIVE_INFINITY ? Number.NaN : lowestConfidence;
  }

  const rolledScore = rollUp(policy, graph, ownScore, objectiveWeight);

  const objectiveScores = new Map<string, ObjectiveScore>();
  for (let o = 0; o < objectiveCount; o++) {
    const objective = objectives[o]!;
    const score = rolledScore[o]!;
    const confidence = Number.isNaN(objectiveConfidence[o]!) ? null : objectiveConfidence[o]!;
    const risk = assessRisk(score, confidence, expected, policy);
    objectiveScores.set(objective.id, {
      objectiveId: objective.id,
      teamId: objective.teamId,
      kind: objective.kind,
      ownScore: ownScore[o]!,
      score,
      grade: gradeOf(score),
      colour: colourOf(score),
      verdict: verdictFor(objective.kind, score),
      confidence,
      paceGap: expected - score,
      atRisk: risk.atRisk,
      atRiskReasons: risk.reasons,
      topLevel: graph.parentStart[o] === graph.parentStart[o + 1],
    });
  }

  return {
    policyId: policy.id,
    policyVersion: policy.version,
    policyFingerprint: policyFingerprint(policy),
    asOf,
    expectedProgress: expected,
    keyResults: keyResultScores,
    objectives: objectiveScores,
    teams: scoreTeams(graph.teamIds, rolledScore, objectiveWeight),
    organization: scoreTopLevel(graph.parentStart, rolledScore, objectiveWeight),
  };
}

/**
 * Objective scores after the roll-up rule, computed children first so each objective is evaluated
 * exactly once however many paths lead to it.
 */
function rollUp(
  policy: ScoringPolicy,
  graph: AlignmentGraph,
  ownScore: Float64Array,
  objectiveWeight: Float64Array,
): Float64Array {
  if (policy.rollup.mode === "own-krs-only") return ownScore;
  const childShare = policy.rollup.childShare;
  const rolled = new Float64Array(ownScore.length);
  for (const o of graph.childrenFirst) {
    const own = ownScore[o]!;
    const first = graph.childStart[o]!;
    const end = graph.childStart[o + 1]!;
    if (first === end) {
      rolled[o] = own;
      continue;
    }
    const children = new MeanAccumulator();
    for (let i = first; i < end; i++) {
      const child = graph.childList[i]!;
      children.add(rolled[child]!, objectiveWeight[child]!);
    }
    rolled[o] = blend(own, children.mean(), childShare);
  }
  return rolled;
}

/**
 * One objective's score under the policy's roll-up rule, from its own score and its distinct scored
 * children (their rolled scores and objective weights). The same arithmetic as scoreOrganization, so an
 * incremental scorer that recomputes a changed objective and then its ancestors (children first, see
 * recomputeScope) lands on exactly the numbers of a full recompute.
 */
export function rolledObjectiveScore(
  policy: ScoringPolicy,
  ownScore: number,
  children: readonly { readonly score: number; readonly weight?: number }[],
): number {
  if (policy.rollup.mode === "own-krs-only" || children.length === 0) return ownScore;
  const mean = new MeanAccumulator();
  for (const child of children) {
    const weight = weightOf(child.weight, "a child objective");
    mean.add(child.score, weight);
  }
  return blend(ownScore, mean.mean(), policy.rollup.childShare);
}

function blend(own: number, childMean: number, childShare: number): number {
  const blended = (1 - childShare) * own + childShare * childMean;
  // Keep the blend between its two inputs despite rounding, so scores stay inside 0.0-1.0.
  return Math.min(Math.max(blended, Math.min(own, childMean)), Math.max(own, childMean));
}

/** Each team's weighted mean over the objectives it owns (not its sub-teams'). */
function scoreTeams(
  teamOfObjective: readonly string[],
  score: Float64Array,
  weight: Float64Array,
): Map<string, TeamScore> {
  const accumulators = new Map<string, { mean: MeanAccumulator; count: number }>();
  for (let o = 0; o < teamOfObjective.length; o++) {
    const teamId = teamOfObjective[o]!;
    let team = accumulators.get(teamId);
    if (team === undefined) {
      team = { mean: new MeanAccumulator(), count: 0 };
      accumulators.set(teamId, team);
    }
    team.mean.add(score[o]!, weight[o]!);
    team.count++;
  }
  const teams = new Map<string, TeamScore>();
  for (const [teamId, team] of accumulators) {
    const teamScore = team.mean.mean();
    teams.set(teamId, {
      teamId,
      score: teamScore,
      grade: gradeOf(teamScore),
      colour: colourOf(teamScore),
      objectiveCount: team.count,
    });
  }
  return teams;
}

/** Weighted mean of the objectives that align to nothing; null when there are none. */
function scoreTopLevel(
  parentStart: Int32Array,
  score: Float64Array,
  weight: Float64Array,
): GradedScore | null {
  const mean = new MeanAccumulator();
  let count = 0;
  for (let o = 0; o < score.length; o++) {
    if (parentStart[o] !== parentStart[o + 1]) continue;
    mean.add(score[o]!, weight[o]!);
    count++;
  }
  if (count === 0) return null;
  const organizationScore = mean.mean();
  return { score: organizationScore, grade: gradeOf(organizationScore), colour: colourOf(organizationScore) };
}

function weightOf(weight: number | undefined, subject: string): number {
  if (weight === undefined) return 1;
  assertValidWeight(weight, subject);
  return weight;
}
