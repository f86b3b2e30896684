import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  buildAlignmentGraph,
  type CheckIn,
  type KeyResultInput,
  type OrganizationInput,
  recomputeScope,
  rolledObjectiveScore,
  scoreKeyResult,
  scoreObjective,
  scoreOrganization,
} from "../src/index.ts";
import { organizationArbitrary, shuffled } from "./arbitraries.ts";

/**
 * What the scoring service does on each check-in event: rescore the KR from its set of check-ins, then
 * recompute only the objectives recomputeScope names (children first), each from its own KRs and its
 * children's current scores.
 */
function replayIncrementally(input: OrganizationInput, deliveries: readonly [string, CheckIn][]) {
  const graph = buildAlignmentGraph(input);
  const keyResultsById = new Map(input.keyResults.map((keyResult) => [keyResult.id, keyResult]));
  const checkIns = new Map<string, Map<string, CheckIn>>(input.keyResults.map((kr) => [kr.id, new Map()]));
  const krScore = new Map<string, number>();
  const objectiveScore = new Map<string, number>();
  const asOf = Number.POSITIVE_INFINITY;

  const rescoreObjective = (objectiveIndex: number) => {
    const own = scoreObjective(
      [
        ...graph.keyResultList.subarray(
          graph.keyResultStart[objectiveIndex],
          graph.keyResultStart[objectiveIndex + 1],
        ),
      ].map((k) => ({ score: krScore.get(input.keyResults[k]!.id)!, weight: input.keyResults[k]!.weight })),
    );
    const children = [
      ...graph.childList.subarray(graph.childStart[objectiveIndex], graph.childStart[objectiveIndex + 1]),
    ].map((c) => ({
      score: objectiveScore.get(graph.objectiveIds[c]!)!,
      weight: input.objectives[c]!.weight,
    }));
    objectiveScore.set(
      graph.objectiveIds[objectiveIndex]!,
      rolledObjectiveScore(input.policy, own, children),
    );
  };

  // Before any check-in: every KR and objective scored once, children first.
  for (const keyResult of input.keyResults) {
    krScore.set(keyResult.id, scoreKeyResult(keyResult, [], input.policy, asOf).score);
  }
  for (const o of graph.childrenFirst) rescoreObjective(o);

  for (const [keyResultId, checkIn] of deliveries) {
    checkIns.get(keyResultId)!.set(checkIn.id, checkIn); // a redelivered check-in replaces itself
    const keyResult = keyResultsById.get(keyResultId)!;
    krScore.set(
      keyResultId,
      scoreKeyResult(keyResult, [...checkIns.get(keyResultId)!.values()], input.policy, asOf).score,
    );
    for (const objectiveId of recomputeScope(graph, keyResultId, input.policy).objectiveIds) {
      rescoreObjective(graph.objectiveIndexById.get(objectiveId)!);
    }
  }
  return { krScore, objectiveScore };
}

describe("incremental recompute (the service's path)", () => {
  it("check-ins applied one by one in any order, redeliveries included, give the full recompute's scores", () => {
    fc.assert(
      fc.property(organizationArbitrary, fc.noShrink(fc.integer()), fc.nat(), (input, order, repeats) => {
        const all: [string, CheckIn][] = input.keyResults.flatMap((keyResult: KeyResultInput) =>
          keyResult.checkIns.map((checkIn): [string, CheckIn] => [keyResult.id, checkIn]),
        );
        const redelivered = all.slice(0, repeats % (all.length + 1));
        const deliveries = shuffled([...all, ...redelivered], order);
        const { krScore, objectiveScore } = replayIncrementally(input, deliveries);

        const full = scoreOrganization({ ...input, asOf: Number.MAX_SAFE_INTEGER });
        for (const [id, keyResult] of full.keyResults) expect(krScore.get(id)).toBe(keyResult.score);
        for (const [id, objective] of full.objectives) {
          expect(Object.is(objectiveScore.get(id), objective.score)).toBe(true);
        }
      }),
    );
  });
});
