import fc from "fast-check";
import { IsDateTime as typeboxDateTime } from "typebox/format";
import { describe, expect, it } from "vitest";
import { isDateTime } from "../src/formats.ts";

/** An ISO timestamp with one character replaced: the near misses a fast path could get wrong. */
const nearMiss = fc
  .tuple(
    fc.date({
      min: new Date("0000-01-01T00:00:00Z"),
      max: new Date("9999-12-31T23:59:59Z"),
      noInvalidDate: true,
    }),
    fc.nat(),
    fc.constantFrom("0", "9", "1", "3", "-", ":", "T", "t", "Z", "z", ".", "+", " ", "a", "6"),
    fc.boolean(),
  )
  .map(([date, at, char, dropFraction]) => {
    const iso = dropFraction ? date.toISOString().replace(/\.\d+/, "") : date.toISOString();
    const i = at % iso.length;
    return iso.slice(0, i) + char + iso.slice(i + 1);
  });

describe("date-time format", () => {
  it("accepts what toISOString writes", () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date("0000-01-01T00:00:00Z"),
          max: new Date("9999-12-31T23:59:59Z"),
          noInvalidDate: true,
        }),
        (date) => {
          expect(isDateTime(date.toISOString())).toBe(true);
        },
      ),
    );
  });

  it("agrees with typebox's RFC 3339 check on near misses, other forms and any string", () => {
    const examples = [
      "2024-02-29T00:00:00Z",
      "2023-02-29T00:00:00Z",
      "2026-12-02T24:00:00Z",
      "2026-12-02T23:59:60Z",
      "2026-12-31T23:59:60.5Z",
      "2026-12-02T05:40:00.Z",
      "2026-12-02T05:40:00+01:00",
      "2026-12-02t05:40:00z",
      "2026-13-02T05:40:00Z",
      "2026-00-02T05:40:00Z",
      "2026-12-00T05:40:00Z",
      "2026-12-02T05:40:00.123456789Z",
      "",
    ];
    for (const value of examples) expect(isDateTime(value), value).toBe(typeboxDateTime(value));
    fc.assert(
      fc.property(fc.oneof(nearMiss, fc.string()), (value) => {
        expect(isDateTime(value)).toBe(typeboxDateTime(value));
      }),
      { numRuns: 5_000 },
    );
  });
});
