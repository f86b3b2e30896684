import type { KeyResultDefinition } from "../src/index.ts";

/** A valid key result (lead time down from 20 to 5 days), with `overrides` applied. */
export const kr = (overrides: Partial<KeyResultDefinition> = {}): KeyResultDefinition => ({
  title: "Lead time",
  type: "decrease-to",
  baseline: 20,
  target: 5,
  bandLow: null,
  bandHigh: null,
  milestones: [],
  unit: "days",
  weight: 1,
  evidenceKind: "any",
  ...overrides,
});
