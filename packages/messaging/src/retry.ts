import { setTimeout as sleep } from "node:timers/promises";

export interface RetryUntilOptions {
  /** What is being attempted, for the log ("goals.scores consumer start"). */
  what: string;
  /** False for an error that will not go away by waiting: it is thrown at once. Default: retry all. */
  retriable?: (error: unknown) => boolean;
  /** Stops retrying (the promise then resolves false). */
  signal?: AbortSignal;
  log?: (level: "info" | "warn" | "error", message: string) => void;
  /** Told of every failed attempt (say, for a readiness check that shows the latest reason). */
  onFailure?: (error: unknown) => void;
  initialDelayMs?: number;
  maxDelayMs?: number;
}

/**
 * Runs `attempt` until it succeeds, backing off exponentially between failures. A dependency that is
 * still starting (a broker creating its topics, a database accepting connections) costs one log line,
 * plus one per different error, not one per attempt. Resolves true once done, false if aborted first.
 */
export async function retryUntil(
  attempt: () => Promise<unknown>,
  options: RetryUntilOptions,
): Promise<boolean> {
  const { signal, log } = options;
  const maxDelayMs = options.maxDelayMs ?? 5_000;
  let delay = options.initialDelayMs ?? 200;
  let failures = 0;
  let lastMessage: string | undefined;
  const began = performance.now();
  while (!signal?.aborted) {
    try {
      await attempt();
      if (failures > 0) {
        const seconds = ((performance.now() - began) / 1000).toFixed(1);
        log?.("info", `${options.what}: succeeded after ${failures + 1} attempts (${seconds} s)`);
      }
      return true;
    } catch (error) {
      if (signal?.aborted) return false;
      if (options.retriable && !options.retriable(error)) throw error;
      failures += 1;
      options.onFailure?.(error);
      const message = errorMessage(error);
      if (message !== lastMessage) {
        log?.("warn", `${options.what}: ${message}; retrying until it succeeds`);
        lastMessage = message;
      }
      await sleep(delay, undefined, { signal }).catch(() => {});
      delay = Math.min(delay * 2, maxDelayMs);
    }
  }
  return false;
}

/** The message of an error and of the causes it wraps (kafkajs nests the broker's reason). */
export function errorMessage(error: unknown): string {
  const parts: string[] = [];
  for (let current = error; current && parts.length < 4; current = (current as Error).cause) {
    const message = current instanceof Error ? current.message : String(current);
    if (message && !parts.includes(message)) parts.push(message);
    if (!(current instanceof Error)) break;
  }
  return parts.join(": ") || String(error);
}

/**
 * Whether waiting can cure a Kafka error: kafkajs marks each error retriable or not and wraps the last
 * attempt's error in the ones it gives up with, so the innermost cause decides. Anything kafkajs did not
 * classify (a socket error, say) counts as retriable.
 */
export function isRetriableKafkaError(error: unknown): boolean {
  let root = error as { cause?: unknown; retriable?: boolean } | undefined;
  while (root?.cause) root = root.cause as typeof root;
  return root?.retriable !== false;
}

/**
 * A filter for repeated log lines: true when `key` was already seen within the interval (the caller
 * then drops the line), false (and remembered) otherwise.
 */
export function seenWithin(intervalMs: number): (key: string) => boolean {
  const lastSeen = new Map<string, number>();
  return (key) => {
    const now = Date.now();
    const last = lastSeen.get(key);
    if (last !== undefined && now - last < intervalMs) return true;
    if (lastSeen.size >= 1000) lastSeen.clear();
    lastSeen.set(key, now);
    return false;
  };
}
