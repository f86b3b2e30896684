import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { columnsOf } from "../src/index.ts";

describe("columnsOf", () => {
  it("turns rows into one array per column, rows in their order", () => {
    const rows = [
      { id: "a", score: 0.5, note: null },
      { id: "b", score: 1, note: "done" },
    ];
    expect(columnsOf(rows, (row) => [row.id, row.score, row.note])).toEqual([
      ["a", "b"],
      [0.5, 1],
      [null, "done"],
    ]);
    // What it was given is left as it was.
    expect(rows).toEqual([
      { id: "a", score: 0.5, note: null },
      { id: "b", score: 1, note: "done" },
    ]);
  });

  it("gives no columns for no rows", () => {
    expect(columnsOf([], () => [1, 2])).toEqual([]);
  });

  it("gives what one map per column gives", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.uuid(), fc.double(), fc.option(fc.string())), { minLength: 1 }),
        (rows) => {
          expect(columnsOf(rows, (row) => row)).toEqual([0, 1, 2].map((c) => rows.map((row) => row[c])));
        },
      ),
    );
  });
});
