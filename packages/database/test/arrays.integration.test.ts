import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { arrayLiteral } from "../src/index.ts";
import { createTestDatabase, type TestDatabase } from "../src/testing.ts";

describe("arrayLiteral", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase({});
  });
  afterAll(() => database.drop());

  const roundTrip = async (cast: string, values: unknown[]) =>
    (await database.pool.query(`select $1::${cast} as a`, [arrayLiteral(values as never)])).rows[0].a;

  it("gives Postgres back any text, nulls included, exactly as sent", async () => {
    const tricky = [
      'a"b',
      "back\\slash",
      "{braces}",
      "a,b",
      " spaced ",
      "NULL",
      "null",
      "",
      "ünïcødé ✓",
      null,
    ];
    expect(await roundTrip("text[]", tricky)).toEqual(tricky);
    await fc.assert(
      fc.asyncProperty(
        // Postgres text cannot hold NUL.
        fc.array(fc.option(fc.string({ unit: "grapheme" }).filter((s) => !s.includes("\u0000")))),
        async (values) => {
          expect(await roundTrip("text[]", values)).toEqual(values);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("carries numbers, uuids, booleans and timestamps as node-postgres would", async () => {
    const numbers = [0, -1.5, 0.1 + 0.2, 1e-7, 123456789.125, null];
    expect(await roundTrip("float8[]", numbers)).toEqual(numbers);
    expect(await roundTrip("int[]", [1, -2, null])).toEqual([1, -2, null]);
    const ids = ["0190f1c2-7d4e-7a1b-8c3d-4e5f6a7b8c9d", "00000000-0000-0000-0000-000000000000"];
    expect(await roundTrip("uuid[]", ids)).toEqual(ids);
    expect(await roundTrip("bool[]", [true, false, null])).toEqual([true, false, null]);
    const at = "2026-12-02T05:40:00.123Z";
    expect((await roundTrip("timestamptz[]", [at]))[0].toISOString()).toBe(at);
    expect(arrayLiteral([])).toBe("{}");
  });
});
