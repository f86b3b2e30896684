import fc from "fast-check";
import type {
  AlignmentLink,
  CheckIn,
  KeyResultDefinition,
  KeyResultInput,
  ObjectiveInput,
  OrganizationInput,
  ScoringPolicy,
} from "../src/index.ts";

const MILESTONES = ["m1", "m2", "m3"];

/** Any valid policy. */
export const policyArbitrary: fc.Arbitrary<ScoringPolicy> = fc.record({
  id: fc.constant("generated"),
  version: fc.integer({ min: 1, max: 9 }),
  bandRule: fc.constantFrom("current-inside", "share-inside"),
  milestoneRule: fc.constantFrom("fraction", "all-or-nothing"),
  atRiskProgressGap: fc.double({ min: 0, max: 1, noNaN: true }),
  atRiskConfidence: fc.double({ min: 0, max: 1, noNaN: true }),
  confidenceTrendWindow: fc.integer({ min: 2, max: 5 }),
  rollup: fc.oneof(
    fc.constant({ mode: "own-krs-only" } as const),
    fc.record({
      mode: fc.constant("blend-children" as const),
      childShare: fc.double({ min: 0, max: 1, noNaN: true }),
    }),
  ),
});

/** A valid KR definition with the placeholder id "kr". */
export const definitionArbitrary: fc.Arbitrary<KeyResultDefinition> = fc.oneof(
  fc
    .record({
      baseline: fc.integer({ min: -100, max: 100 }),
      span: fc.integer({ min: 1, max: 200 }),
      rising: fc.boolean(),
    })
    .map(({ baseline, span, rising }) =>
      rising
        ? { id: "kr", type: "increase-to" as const, baseline, target: baseline + span }
        : { id: "kr", type: "decrease-to" as const, baseline, target: baseline - span },
    ),
  fc
    .integer({ min: -50, max: 150 })
    .map((threshold) => ({ id: "kr", type: "stay-above" as const, threshold })),
  fc
    .integer({ min: -50, max: 150 })
    .map((threshold) => ({ id: "kr", type: "stay-below" as const, threshold })),
  fc
    .tuple(fc.integer({ min: -50, max: 150 }), fc.integer({ min: 0, max: 100 }))
    .map(([low, width]) => ({ id: "kr", type: "stay-between" as const, low, high: low + width })),
  fc.constant({ id: "kr", type: "milestone" as const, milestones: MILESTONES }),
);

const checkInFields = fc.record({
  recordedAt: fc.integer({ min: 0, max: 20 }),
  value: fc.double({ min: -300, max: 300, noNaN: true }),
  completed: fc.subarray(MILESTONES),
  confidence: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
  confidenceOnly: fc.boolean(),
});

/** Check-ins fitting the KR type, with unique ids and frequent recordedAt ties. */
export function checkInsFor(type: KeyResultDefinition["type"]): fc.Arbitrary<CheckIn[]> {
  return fc.array(checkInFields, { maxLength: 8 }).map((rows) =>
    rows.map((row, i): CheckIn => {
      const base = { id: `c${i}`, recordedAt: row.recordedAt, confidence: row.confidence };
      if (row.confidenceOnly) return base;
      return type === "milestone"
        ? { ...base, completedMilestones: row.completed }
        : { ...base, value: row.value };
    }),
  );
}

const keyResultSpec = definitionArbitrary.chain((definition) =>
  fc.record({
    definition: fc.constant(definition),
    weight: fc.option(fc.double({ min: 0.1, max: 5, noNaN: true }), { nil: undefined }),
    checkIns: checkInsFor(definition.type),
  }),
);

const objectiveSpec = fc.record({
  teamId: fc.constantFrom("t1", "t2", "t3"),
  kind: fc.constantFrom("committed", "aspirational"),
  weight: fc.option(fc.double({ min: 0.1, max: 5, noNaN: true }), { nil: undefined }),
  keyResults: fc.array(keyResultSpec, { minLength: 1, maxLength: 3 }),
  links: fc.array(fc.record({ parent: fc.nat(), viaKeyResult: fc.boolean(), keyResult: fc.nat() }), {
    maxLength: 3,
  }),
});

/** A random acyclic organization (links only point to earlier objectives), diamonds and duplicates included. */
export const organizationArbitrary: fc.Arbitrary<OrganizationInput> = fc
  .record({
    policy: policyArbitrary,
    asOf: fc.integer({ min: 0, max: 25 }),
    objectives: fc.array(objectiveSpec, { minLength: 1, maxLength: 12 }),
  })
  .map(({ policy, asOf, objectives: specs }) => {
    const objectives: ObjectiveInput[] = [];
    const keyResults: KeyResultInput[] = [];
    const links: AlignmentLink[] = [];
    const keyResultIdsOf: string[][] = [];
    specs.forEach((spec, o) => {
      objectives.push({ id: `o${o}`, teamId: spec.teamId, kind: spec.kind, weight: spec.weight });
      keyResultIdsOf.push(spec.keyResults.map((_, k) => `o${o}-k${k}`));
      spec.keyResults.forEach((keyResult, k) => {
        const { definition, weight, checkIns } = keyResult;
        keyResults.push({ ...definition, id: `o${o}-k${k}`, objectiveId: `o${o}`, weight, checkIns });
      });
      if (o === 0) return;
      for (const link of spec.links) {
        const parent = link.parent % o;
        const parentKeyResults = keyResultIdsOf[parent]!;
        links.push(
          link.viaKeyResult
            ? {
                type: "contributes-to",
                objectiveId: `o${o}`,
                parentKeyResultId: parentKeyResults[link.keyResult % parentKeyResults.length]!,
              }
            : { type: "aligns-to", objectiveId: `o${o}`, parentObjectiveId: `o${parent}` },
        );
      }
    });
    return { policy, cycle: { start: 0, end: 20 }, asOf, objectives, keyResults, links };
  });

/** Deterministic Fisher-Yates shuffle driven by a seed (mulberry32), so failures replay. */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}
