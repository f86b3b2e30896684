import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { milestonesDone } from "../src/index.ts";

// The count scoring (services/scoring) and the web app's KR chart both read from a milestone check-in.
describe("milestonesDone", () => {
  it("takes milestonesDone over the value, floors it and keeps it within 0 and the KR's milestones", () => {
    expect(milestonesDone({ milestonesDone: 2, value: 7 }, 4)).toBe(2);
    expect(milestonesDone({ milestonesDone: null, value: 2.9 }, 4)).toBe(2);
    expect(milestonesDone({ value: 9 }, 4)).toBe(4);
    expect(milestonesDone({ milestonesDone: -1, value: 3 }, 4)).toBe(0);
  });

  it("is always a whole number of milestones the KR has, and the reported one when that is one", () => {
    fc.assert(
      fc.property(
        fc.option(fc.integer({ min: -5, max: 30 })),
        fc.double({ min: -10, max: 40, noNaN: true }),
        fc.integer({ min: 0, max: 20 }),
        (reported, value, total) => {
          const done = milestonesDone({ milestonesDone: reported, value }, total);
          expect(Number.isInteger(done) && done >= 0 && done <= total).toBe(true);
          if (reported !== null && reported >= 0 && reported <= total) expect(done).toBe(reported);
        },
      ),
    );
  });
});
