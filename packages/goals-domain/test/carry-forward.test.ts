import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  carryForwardKeyResult,
  KEY_RESULT_TYPES,
  type KeyResultDefinition,
  validateKeyResult,
} from "../src/index.ts";
import { kr } from "./support.ts";

const base = kr({ weight: 2, evidenceKind: "url" });

describe("carrying a key result forward", () => {
  it("starts a number to reach from its last value while it is still short of the target", () => {
    expect(carryForwardKeyResult(base, 12)).toEqual({ ...base, baseline: 12 });
    const rising = { ...base, type: "increase-to" as const, baseline: 0, target: 100 };
    expect(carryForwardKeyResult(rising, 60)).toEqual({ ...rising, baseline: 60 });
    // Reached or passed: the baseline stays, so the target still lies ahead of it.
    expect(carryForwardKeyResult(rising, 100)).toEqual(rising);
    expect(carryForwardKeyResult(base, 3)).toEqual(base);
    // Never checked in: nothing moves.
    expect(carryForwardKeyResult(base, null)).toEqual(base);
  });

  it("keeps bands, lines to hold and milestone names, recording a band's last value as its baseline", () => {
    const band = { ...base, type: "stay-between" as const, baseline: null, bandLow: 2, bandHigh: 4 };
    expect(carryForwardKeyResult(band, 5)).toEqual({ ...band, baseline: 5 });
    const milestones = {
      ...base,
      type: "milestone" as const,
      baseline: null,
      target: null,
      milestones: ["pilot", "rollout"],
    };
    const carried = carryForwardKeyResult(milestones, 1);
    expect(carried).toEqual(milestones);
    expect(carried.milestones).not.toBe(milestones.milestones);
  });

  it("turns every valid definition into a valid one that differs at most in its baseline", () => {
    const definition = fc
      .record({
        type: fc.constantFrom(...KEY_RESULT_TYPES),
        a: fc.integer({ min: -1000, max: 1000 }),
        b: fc.integer({ min: -1000, max: 1000 }),
        milestones: fc.uniqueArray(fc.stringMatching(/^[a-z]{1,8}$/), { minLength: 1, maxLength: 5 }),
      })
      .map(({ type, a, b, milestones }): KeyResultDefinition => {
        const [low, high] = a < b ? [a, b] : [b, a + 1];
        return {
          ...base,
          type,
          baseline: type === "increase-to" ? low : type === "decrease-to" ? high : null,
          target: type === "increase-to" ? high : type === "decrease-to" ? low : a,
          bandLow: type === "stay-between" ? low : null,
          bandHigh: type === "stay-between" ? high : null,
          milestones: type === "milestone" ? milestones : [],
        };
      });
    fc.assert(
      fc.property(definition, fc.option(fc.integer({ min: -2000, max: 2000 })), (kr, last) => {
        expect(validateKeyResult(kr)).toEqual([]);
        const carried = carryForwardKeyResult(kr, last);
        expect(validateKeyResult(carried)).toEqual([]);
        expect({ ...carried, baseline: kr.baseline }).toEqual(kr);
      }),
    );
  });
});
