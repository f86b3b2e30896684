import { describe, expect, it } from "vitest";
import { isTransientDatabaseError } from "../src/errors.ts";

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe("isTransientDatabaseError", () => {
  it("counts an unreachable, starting or restarting server as transient", () => {
    expect(isTransientDatabaseError(withCode("connect ECONNREFUSED 127.0.0.1:55432", "ECONNREFUSED"))).toBe(
      true,
    );
    expect(isTransientDatabaseError(withCode("the database system is starting up", "57P03"))).toBe(true);
    expect(
      isTransientDatabaseError(withCode("terminating connection due to administrator command", "57P01")),
    ).toBe(true);
    expect(isTransientDatabaseError(withCode("sorry, too many clients already", "53300"))).toBe(true);
    expect(isTransientDatabaseError(new Error("Connection terminated unexpectedly"))).toBe(true);
    const bothAddresses = Object.assign(
      new AggregateError([withCode("connect ECONNREFUSED ::1:5432", "ECONNREFUSED")]),
      {},
    );
    expect(isTransientDatabaseError(bothAddresses)).toBe(true);
  });

  it("does not count a refused request or a broken migration as transient", () => {
    expect(isTransientDatabaseError(withCode('database "okr" does not exist', "3D000"))).toBe(false);
    expect(isTransientDatabaseError(withCode("password authentication failed", "28P01"))).toBe(false);
    expect(isTransientDatabaseError(withCode('syntax error at or near "tabel"', "42601"))).toBe(false);
    expect(isTransientDatabaseError(new Error("migration x was modified after it was applied"))).toBe(false);
  });
});
