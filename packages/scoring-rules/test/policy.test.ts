import { describe, expect, it } from "vitest";
import {
  canonicalJson,
  DEFAULT_SCORING_POLICY,
  policyFingerprint,
  type ScoringPolicy,
  validatePolicy,
} from "../src/index.ts";

describe("validatePolicy", () => {
  it("accepts the default and a blend policy", () => {
    expect(validatePolicy(DEFAULT_SCORING_POLICY).valid).toBe(true);
    const blend = { ...DEFAULT_SCORING_POLICY, rollup: { mode: "blend-children", childShare: 0.3 } };
    expect(validatePolicy(blend)).toEqual({ valid: true, policy: blend });
  });

  it("lists every problem, including unknown fields", () => {
    const result = validatePolicy({
      ...DEFAULT_SCORING_POLICY,
      version: 0,
      atRiskConfidance: 0.4,
      atRiskProgressGap: 1.5,
      confidenceTrendWindow: 1,
      rollup: { mode: "blend-children", childShare: -0.1 },
    });
    expect(result).toEqual({
      valid: false,
      problems: [
        'unknown field "atRiskConfidance"',
        "version must be a positive integer",
        "atRiskProgressGap must be a number from 0 to 1",
        "confidenceTrendWindow must be an integer from 2 to 100",
        "rollup.childShare must be a number from 0 to 1",
      ],
    });
    expect(validatePolicy(null)).toEqual({ valid: false, problems: ["policy must be an object"] });
  });

  it("keeps the default immutable", () => {
    expect(Object.isFrozen(DEFAULT_SCORING_POLICY)).toBe(true);
    expect(Object.isFrozen(DEFAULT_SCORING_POLICY.rollup)).toBe(true);
  });
});

describe("policyFingerprint", () => {
  it("is canonical JSON with sorted keys, independent of key order", () => {
    const reordered = Object.fromEntries(
      Object.entries(DEFAULT_SCORING_POLICY).toReversed(),
    ) as ScoringPolicy;
    expect(policyFingerprint(reordered)).toBe(policyFingerprint(DEFAULT_SCORING_POLICY));
    expect(policyFingerprint(DEFAULT_SCORING_POLICY)).toBe(
      '{"atRiskConfidence":0.5,"atRiskProgressGap":0.2,"bandRule":"current-inside","confidenceTrendWindow":3,' +
        '"id":"default","milestoneRule":"fraction","rollup":{"mode":"own-krs-only"},"version":1}',
    );
  });

  it("changes whenever a rule or the version changes", () => {
    const base = policyFingerprint(DEFAULT_SCORING_POLICY);
    expect(policyFingerprint({ ...DEFAULT_SCORING_POLICY, version: 2 })).not.toBe(base);
    expect(policyFingerprint({ ...DEFAULT_SCORING_POLICY, atRiskConfidence: 0.6 })).not.toBe(base);
  });

  it("rejects an invalid policy rather than fingerprinting it", () => {
    expect(() => policyFingerprint({ ...DEFAULT_SCORING_POLICY, id: "" })).toThrow(
      /id must be a non-empty string/,
    );
  });

  it("canonicalJson sorts nested keys and drops undefined fields", () => {
    expect(canonicalJson({ b: [{ y: 1, x: 2 }], a: undefined, c: "z" })).toBe(
      '{"b":[{"x":2,"y":1}],"c":"z"}',
    );
  });
});
