import { setTimeout as sleep } from "node:timers/promises";

/** Polls until `check` returns a value other than undefined/false; fails with `what` after the timeout. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    await sleep(100);
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ""}`,
  );
}

/**
 * Sends again while the answer says "briefly unavailable, retry after N seconds" (a 503 with Retry-After:
 * `retryAfterOf` gives the header then, nothing otherwise), waiting what it asks, at most `retries` times:
 * what a client is told to do. Returns the last answer, whatever it is.
 */
export async function retryWhileUnavailable<A>(
  send: () => Promise<A>,
  retryAfterOf: (answer: A) => string | null | undefined,
  retries = 5,
): Promise<A> {
  let answer = await send();
  for (let retry = 0; retry < retries; retry++) {
    const seconds = retryAfterOf(answer);
    if (!seconds) break;
    await sleep(1_000 * Number(seconds));
    answer = await send();
  }
  return answer;
}
