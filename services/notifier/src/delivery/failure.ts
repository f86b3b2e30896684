import { errorMessage } from "@okr/messaging";
import { markFailed } from "../repositories/deliveries.ts";
import { afterFailure } from "../rules/backoff.ts";
import type { NotifierRuntime } from "../service.ts";

/**
 * Records a failed send of a claimed delivery: due again after the backoff (DELIVERY_BACKOFF_MS
 * doubling up to DELIVERY_MAX_BACKOFF_MS, jittered), or parked once its `maxAttempts` are spent.
 */
export async function recordFailure(
  runtime: NotifierRuntime,
  what: string,
  delivery: { id: string; attempts: number },
  error: unknown,
  maxAttempts: number,
): Promise<void> {
  const { config } = runtime;
  const outcome = afterFailure(delivery.attempts, {
    baseMs: config.DELIVERY_BACKOFF_MS,
    maxMs: config.DELIVERY_MAX_BACKOFF_MS,
    maxAttempts,
  });
  const message = errorMessage(error);
  await markFailed(runtime.pool, delivery.id, message, outcome.park ? null : outcome.delayMs);
  runtime.log(
    "warn",
    `${what} ${delivery.id} attempt ${delivery.attempts} failed (${message}); ${outcome.park ? "parked" : `retrying in ${outcome.delayMs} ms`}`,
  );
}
