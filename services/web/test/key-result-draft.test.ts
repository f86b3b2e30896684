import { describe, expect, it } from "vitest";
import { bodyOf, definitionOf, lintOf, newDraft } from "../app/key-result-draft.ts";

/** How the key result form turns what was typed into goals' body, and when goals-domain's rule speaks. */
describe("a key result draft", () => {
  it("sends only the numbers its type measures by, blanks as none and milestones one per line", () => {
    const typed = {
      ...newDraft(),
      title: "  Decision time  ",
      type: "stay-between" as const,
      baseline: "4",
      target: "9",
      bandLow: "1",
      bandHigh: "",
      milestones: "left over",
      unit: " days ",
    };
    expect(definitionOf(typed)).toMatchObject({
      baseline: null,
      target: null,
      bandLow: 1,
      bandHigh: null,
      milestones: [],
      unit: "days",
    });
    const milestones = { ...typed, type: "milestone" as const, milestones: " Live \n\n Automated\n" };
    expect(bodyOf(milestones)).toMatchObject({
      title: "Decision time",
      milestones: ["Live", "Automated"],
      bandLow: null,
      evidence: { kind: "any", description: "" },
    });
  });

  it("is linted by goals-domain once someone typed in it, and not before", () => {
    const fresh = newDraft();
    expect(lintOf(fresh)).toEqual([]);
    const typed = { ...fresh, title: "Make underwriting better", touched: true };
    expect(lintOf(typed).map((v) => v.code)).toEqual([
      "key-result-not-measurable",
      "key-result-not-measurable",
    ]);
    expect(lintOf({ ...typed, baseline: "0", target: "40" })).toEqual([]);
    expect(lintOf({ ...typed, baseline: "40", target: "0" }).map((v) => v.code)).toEqual([
      "key-result-direction",
    ]);
  });
});
