import { describe, expect, it } from "vitest";
import { isRetryableConflict, retryOnConflict } from "../src/index.ts";

const pgError = (code: string) => Object.assign(new Error(`sqlstate ${code}`), { code });
/** How Prisma (driver adapters) reports a deadlock: its own code, the driver's error kept as the cause. */
const prismaError = (originalCode: string) =>
  Object.assign(new Error("Transaction failed due to a write conflict or a deadlock"), {
    code: "P2010",
    meta: {
      driverAdapterError: { name: "DriverAdapterError", cause: { originalCode, kind: "postgres" } },
    },
  });

describe("isRetryableConflict", () => {
  it("recognises deadlocks and serialization failures from pg and from Prisma, and nothing else", () => {
    expect(isRetryableConflict(pgError("40P01"))).toBe(true);
    expect(isRetryableConflict(pgError("40001"))).toBe(true);
    expect(isRetryableConflict(Object.assign(new Error("conflict"), { code: "P2034" }))).toBe(true);
    expect(isRetryableConflict(prismaError("40P01"))).toBe(true);
    expect(isRetryableConflict(new Error("wrapped", { cause: pgError("40001") }))).toBe(true);
    expect(isRetryableConflict(pgError("23505"))).toBe(false);
    expect(isRetryableConflict(prismaError("23505"))).toBe(false);
    expect(isRetryableConflict(new Error("plain"))).toBe(false);
    expect(isRetryableConflict(undefined)).toBe(false);
  });
});

describe("retryOnConflict", () => {
  it("runs the work again after a deadlock and returns its result", async () => {
    let runs = 0;
    const retried: number[] = [];
    const result = await retryOnConflict(
      async () => {
        runs += 1;
        if (runs < 3) throw pgError("40P01");
        return "done";
      },
      { baseDelayMs: 1, onRetry: (_, attempt) => retried.push(attempt) },
    );
    expect(result).toBe("done");
    expect(runs).toBe(3);
    expect(retried).toEqual([1, 2]);
  });

  it("gives up after the bounded number of attempts with the last error", async () => {
    let runs = 0;
    const failing = retryOnConflict(
      async () => {
        runs += 1;
        throw pgError("40001");
      },
      { attempts: 4, baseDelayMs: 1 },
    );
    await expect(failing).rejects.toMatchObject({ code: "40001" });
    expect(runs).toBe(4);
  });

  it("does not run the work again after any other error", async () => {
    let runs = 0;
    const failing = retryOnConflict(async () => {
      runs += 1;
      throw pgError("23505");
    });
    await expect(failing).rejects.toMatchObject({ code: "23505" });
    expect(runs).toBe(1);
  });
});
