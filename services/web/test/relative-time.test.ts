import { describe, expect, it } from "vitest";
import { relativeTo } from "../app/relative-time.ts";

const now = Date.parse("2026-12-04T12:00:00Z");
const minutes = (n: number) => now + n * 60_000;

describe("relative deadlines", () => {
  it("says how far a deadline is in the largest readable unit, ahead or past", () => {
    expect(relativeTo(minutes(20), now, "en")).toBe("in 20 minutes");
    expect(relativeTo(minutes(-125), now, "en")).toBe("2 hours ago");
    expect(relativeTo(minutes(30 * 60), now, "en")).toBe("in 30 hours");
    expect(relativeTo(minutes(3 * 24 * 60), now, "en")).toBe("in 3 days");
    expect(relativeTo(minutes(-24 * 60 * 10), now, "en")).toBe("10 days ago");
    expect(relativeTo(now, now, "en")).toBe("this minute");
  });
});
