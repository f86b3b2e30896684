import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  clampScore,
  type KeyResultDefinition,
  type KeyResultInput,
  type OrganizationInput,
  type OrganizationScore,
  scoreKeyResult,
  scoreOrganization,
} from "../src/index.ts";
import {
  checkInsFor,
  definitionArbitrary,
  organizationArbitrary,
  policyArbitrary,
  shuffled,
} from "./arbitraries.ts";

const seed = fc.noShrink(fc.integer());

function everyScore(result: OrganizationScore): number[] {
  return [
    ...[...result.keyResults.values()].map((keyResult) => keyResult.score),
    ...[...result.objectives.values()].flatMap((objective) => [objective.ownScore, objective.score]),
    ...[...result.teams.values()].map((team) => team.score),
    ...(result.organization === null ? [] : [result.organization.score]),
  ];
}

function reordered(input: OrganizationInput, order: number): OrganizationInput {
  return {
    ...input,
    objectives: shuffled(input.objectives, order),
    keyResults: shuffled(input.keyResults, order + 1).map((keyResult, i) => ({
      ...keyResult,
      checkIns: shuffled(keyResult.checkIns, order + i + 2),
    })),
    links: shuffled(input.links ?? [], order + 3),
  };
}

describe("score properties", () => {
  it("every score lies in 0.0-1.0 and every grade is a tenth", () => {
    fc.assert(
      fc.property(organizationArbitrary, (input) => {
        const result = scoreOrganization(input);
        for (const score of everyScore(result)) {
          expect(score).toBeGreaterThanOrEqual(0);
          expect(score).toBeLessThanOrEqual(1);
        }
        for (const objective of result.objectives.values()) {
          expect(Number.isInteger(Math.round(objective.grade * 10))).toBe(true);
          expect(Math.abs(objective.grade - objective.score)).toBeLessThanOrEqual(0.05 + 1e-9);
        }
      }),
    );
  });

  it("more progress never lowers a score (clamp and metric KRs)", () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true }), fc.double({ noNaN: true }), (a, b) => {
        expect(clampScore(Math.min(a, b))).toBeLessThanOrEqual(clampScore(Math.max(a, b)));
      }),
    );
    const rising: KeyResultDefinition = { id: "kr", type: "increase-to", baseline: -3, target: 17 };
    const falling: KeyResultDefinition = { id: "kr", type: "decrease-to", baseline: 17, target: -3 };
    fc.assert(
      fc.property(
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        (a, b) => {
          const [low, high] = [Math.min(a, b), Math.max(a, b)];
          const score = (definition: KeyResultDefinition, value: number) =>
            scoreKeyResult(definition, [{ id: "c", recordedAt: 0, value }]).score;
          expect(score(rising, low)).toBeLessThanOrEqual(score(rising, high));
          expect(score(falling, high)).toBeLessThanOrEqual(score(falling, low));
        },
      ),
    );
  });

  it("raising one KR's current value never lowers any objective, team or organization score", () => {
    fc.assert(
      fc.property(
        organizationArbitrary,
        fc.nat(),
        fc.double({ min: -300, max: 300, noNaN: true }),
        fc.double({ min: 0, max: 300, noNaN: true }),
        (input, pick, value, raise) => {
          const rising = input.keyResults.filter((keyResult) => keyResult.type === "increase-to");
          fc.pre(rising.length > 0);
          const target = rising[pick % rising.length]!;
          // "~" sorts after every generated id, so this check-in is the latest at asOf.
          const withValue = (v: number): OrganizationInput => ({
            ...input,
            keyResults: input.keyResults.map(
              (keyResult): KeyResultInput =>
                keyResult === target
                  ? {
                      ...keyResult,
                      checkIns: [...keyResult.checkIns, { id: "~", recordedAt: input.asOf, value: v }],
                    }
                  : keyResult,
            ),
          });
          const before = scoreOrganization(withValue(value));
          const after = scoreOrganization(withValue(value + raise));
          for (const [id, objective] of before.objectives) {
            expect(after.objectives.get(id)!.score).toBeGreaterThanOrEqual(objective.score);
          }
          for (const [id, team] of before.teams)
            expect(after.teams.get(id)!.score).toBeGreaterThanOrEqual(team.score);
          expect(after.organization!.score).toBeGreaterThanOrEqual(before.organization!.score);
        },
      ),
    );
  });
});

describe("determinism", () => {
  it("scores a KR from the SET of its check-ins: any order gives identical numbers", () => {
    const keyResult = definitionArbitrary.chain((definition) =>
      fc.tuple(fc.constant(definition), checkInsFor(definition.type)),
    );
    fc.assert(
      fc.property(
        keyResult,
        policyArbitrary,
        fc.integer({ min: 0, max: 25 }),
        seed,
        ([definition, checkIns], policy, asOf, order) => {
          const original = scoreKeyResult(definition, checkIns, policy, asOf);
          expect(scoreKeyResult(definition, shuffled(checkIns, order), policy, asOf)).toEqual(original);
        },
      ),
    );
  });

  it("the roll-up is invariant under reordering objectives, key results, links and check-ins", () => {
    fc.assert(
      fc.property(organizationArbitrary, seed, (input, order) => {
        const original = scoreOrganization(input);
        const again = scoreOrganization(reordered(input, order));
        // Deep-equal results (Maps compared by key), and the key numbers checked bit for bit.
        expect(again).toEqual(original);
        for (const [id, objective] of original.objectives) {
          expect(Object.is(again.objectives.get(id)!.score, objective.score)).toBe(true);
        }
        expect(again.organization?.score).toBe(original.organization?.score);
      }),
    );
  });

  it("recomputing from the stored check-in history and policy reproduces the final grades", () => {
    fc.assert(
      fc.property(organizationArbitrary, seed, (input, order) => {
        const final = scoreOrganization(input);
        const policy = JSON.parse(final.policyFingerprint);
        const recomputed = scoreOrganization({ ...reordered(input, order), policy });
        expect(recomputed.policyFingerprint).toBe(final.policyFingerprint);
        for (const [id, objective] of final.objectives) {
          expect(recomputed.objectives.get(id)!.grade).toBe(objective.grade);
          expect(recomputed.objectives.get(id)!.verdict).toBe(objective.verdict);
        }
      }),
    );
  });
});
