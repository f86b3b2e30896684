import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isDatabaseUnavailable } from "../src/index.ts";

/** The shapes node-postgres and Prisma's pg driver adapter give these failures (fields as they set them). */
const pgError = (code: string, message: string) =>
  Object.assign(new Error(message), { code, severity: "FATAL" });
const socketError = (code: string) =>
  Object.assign(new Error(`connect ${code} 127.0.0.1:5432`), { code, errno: -111, syscall: "connect" });
const prismaError = (code: string, cause: object) =>
  Object.assign(new Error("prisma"), {
    name: "PrismaClientKnownRequestError",
    code,
    meta: { driverAdapterError: Object.assign(new Error("adapter"), { name: "DriverAdapterError", cause }) },
  });

describe("isDatabaseUnavailable", () => {
  it.each([
    ["a restart ending the session", pgError("57P01", "terminating connection due to administrator command")],
    ["a crash of another backend", pgError("57P02", "terminating connection because of crash")],
    ["a server still starting", pgError("57P03", "the database system is starting up")],
    ["a full connection table", pgError("53300", "sorry, too many clients already")],
    ["a connection exception (class 08)", pgError("08006", "connection failure")],
    ["a refused connection", socketError("ECONNREFUSED")],
    ["a reset connection", socketError("ECONNRESET")],
    ["a broken pipe", socketError("EPIPE")],
    ["a connection lost mid-query", new Error("Connection terminated unexpectedly")],
    [
      "a client used after its connection broke",
      new Error("Client has encountered a connection error and is not queryable"),
    ],
    ["a pool that could not connect in time", new Error("timeout exceeded when trying to connect")],
    ["Prisma: server not reachable", prismaError("P1001", { kind: "DatabaseNotReachable" })],
    ["Prisma: connection closed", prismaError("P1017", { kind: "ConnectionClosed" })],
    [
      "Prisma: its pool timed out",
      Object.assign(new Error("Timed out fetching a new connection"), { code: "P2024" }),
    ],
    [
      "Prisma: no connection for a transaction in time",
      Object.assign(new Error("Transaction API error: Unable to start a transaction in the given time."), {
        code: "P2028",
      }),
    ],
    [
      "Prisma: a SQLSTATE it has no name for",
      prismaError("P2039", { kind: "postgres", originalCode: "57P03" }),
    ],
    ["wrapped as a cause", new Error("request failed", { cause: socketError("ECONNREFUSED") })],
    ["one of several connect attempts", new AggregateError([socketError("ECONNREFUSED")], "connect failed")],
    [
      "every connect attempt refused (IPv6 then IPv4)",
      new AggregateError([socketError("ECONNREFUSED"), socketError("ECONNREFUSED")], ""),
    ],
    [
      "Prisma: server not reachable, by code alone",
      Object.assign(new Error("Can't reach database server"), { code: "P1001" }),
    ],
    ["a connect attempt that timed out", new Error("Connection terminated due to connection timeout")],
  ])("yes for %s", (_, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ["a unique violation", pgError("23505", "duplicate key value violates unique constraint")],
    ["a syntax error", pgError("42601", "syntax error at or near")],
    ["a serialization failure", pgError("40001", "could not serialize access")],
    ["a statement timeout", pgError("57014", "canceling statement due to statement timeout")],
    ["Prisma: a record not found", Object.assign(new Error("not found"), { code: "P2025" })],
    [
      "Prisma: a transaction that ran past its timeout",
      Object.assign(new Error("Transaction API error: Transaction already closed"), { code: "P2028" }),
    ],
    ["Prisma: a unique violation", prismaError("P2002", { kind: "UniqueConstraintViolation" })],
    ["a missing database", pgError("3D000", 'database "okr" does not exist')],
    ["a wrong password", pgError("28P01", "password authentication failed")],
    ["a migration edited after it was applied", new Error("migration x was modified after it was applied")],
    ["a programming error", new TypeError("cannot read properties of undefined")],
    ["a non-error", "ECONNREFUSED"],
    ["nothing", undefined],
  ])("no for %s", (_, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});

/** Every way the drivers wrap an error: as a cause, as one of an AggregateError's, as Prisma's adapter error. */
const asCause = (inner: unknown) => new Error("wrapped", { cause: inner });
const inAggregate = (inner: unknown) =>
  new AggregateError([new Error("another attempt"), inner], "connect failed");
const underPrisma = (inner: unknown) => prismaError("P2010", inner as object);

describe("isDatabaseUnavailable, whatever the wrapping", () => {
  const unavailable = [
    new AggregateError([socketError("ECONNREFUSED"), socketError("ECONNREFUSED")], ""),
    prismaError("P1001", { kind: "DatabaseNotReachable" }),
    Object.assign(new Error("Can't reach database server"), { code: "P1001" }),
    pgError("57P03", "the database system is starting up"),
  ];
  const refused = [
    pgError("23505", "duplicate key value violates unique constraint"),
    pgError("28P01", "password authentication failed"),
    Object.assign(new Error("not found"), { code: "P2025" }),
  ];

  it("finds an unreachable database under up to four layers, and never invents one", () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(asCause, inAggregate, underPrisma), { maxLength: 4 }),
        fc.constantFrom(...unavailable),
        fc.constantFrom(...refused),
        (layers, away, wrong) => {
          const wrap = (leaf: unknown) => layers.reduce((inner, layer) => layer(inner), leaf);
          expect(isDatabaseUnavailable(wrap(away))).toBe(true);
          expect(isDatabaseUnavailable(wrap(wrong))).toBe(false);
        },
      ),
      // The deepest chain: four Prisma layers (two levels each) over an AggregateError.
      { examples: [[[underPrisma, underPrisma, underPrisma, underPrisma], unavailable[0]!, refused[0]!]] },
    );
  });
});
