import { describe, expect, it } from "vitest";
import { isUuid, newId } from "../src/ids.ts";

describe("ids", () => {
  it("are UUIDv7, ordered by creation even within one millisecond", () => {
    const ids = Array.from({ length: 5000 }, () => newId(1_800_000_000_000));
    expect(ids.every(isUuid)).toBe(true);
    expect(ids.every((id) => id[14] === "7")).toBe(true);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    expect(newId() > (ids.at(-1) as string)).toBe(true);
  });
});
