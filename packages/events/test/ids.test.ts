import { describe, expect, it } from "vitest";
import { isUuid, uuidv7 } from "../src/ids.ts";

describe("uuidv7", () => {
  it("are UUIDv7, ordered by creation even within one millisecond", () => {
    const ids = Array.from({ length: 5000 }, () => uuidv7(1_800_000_000_000));
    expect(ids.every(isUuid)).toBe(true);
    expect(ids.every((id) => id[14] === "7")).toBe(true);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    expect(uuidv7() > (ids.at(-1) as string)).toBe(true);
  });
});
