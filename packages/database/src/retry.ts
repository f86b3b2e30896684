import { setTimeout as sleep } from "node:timers/promises";

/** SQLSTATEs after which the whole transaction may simply run again: serialization failure, deadlock. */
const RETRYABLE_SQLSTATES = new Set(["40001", "40P01"]);
/** Prisma's code for the same two ("write conflict or deadlock"). */
const PRISMA_WRITE_CONFLICT = "P2034";

/**
 * True when Postgres aborted the transaction only to break a deadlock or a serialization conflict:
 * nothing it did was kept, and running it again is expected to succeed. Recognises pg's errors and
 * Prisma's (which wrap the driver's error, keeping the SQLSTATE as `originalCode`).
 */
export function isRetryableConflict(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== "object" || depth > 4) return false;
  const e = error as {
    code?: unknown;
    originalCode?: unknown;
    kind?: unknown;
    cause?: unknown;
    meta?: { driverAdapterError?: unknown };
  };
  if (typeof e.code === "string" && (RETRYABLE_SQLSTATES.has(e.code) || e.code === PRISMA_WRITE_CONFLICT))
    return true;
  if (typeof e.originalCode === "string" && RETRYABLE_SQLSTATES.has(e.originalCode)) return true;
  if (e.kind === "TransactionWriteConflict") return true;
  return (
    isRetryableConflict(e.cause, depth + 1) || isRetryableConflict(e.meta?.driverAdapterError, depth + 1)
  );
}

export interface RetryOptions {
  /** Runs in all, the first included (default 5). */
  attempts?: number;
  /** The first pause; each later one doubles, with jitter (default 5 ms). */
  baseDelayMs?: number;
  /** Told of each retried failure (logging). */
  onRetry?: (error: unknown, attempt: number) => void;
}

/**
 * Runs `work` (one whole transaction, or one autocommit statement) and runs it again when Postgres
 * aborted it for a deadlock (40P01) or a serialization failure (40001), a bounded number of times with a
 * short jittered pause, so the rivals that collided do not collide again in lockstep. Any other error,
 * or the last attempt's, is thrown as is. Wrap the transaction, never a statement inside one: after such
 * an error the transaction is aborted and only a new one can succeed. `work` must have no effect outside
 * the database that a second run would repeat.
 */
export async function retryOnConflict<T>(work: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const attempts = options.attempts ?? 5;
  const baseDelayMs = options.baseDelayMs ?? 5;
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= attempts || !isRetryableConflict(error)) throw error;
      options.onRetry?.(error, attempt);
      const ceiling = baseDelayMs * 2 ** (attempt - 1);
      await sleep(ceiling / 2 + Math.random() * (ceiling / 2));
    }
  }
}
