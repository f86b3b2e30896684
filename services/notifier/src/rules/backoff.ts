export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
  maxAttempts: number;
}

/**
 * What happens after the `attempts`-th failed send: parked once the attempts are spent, else retried
 * after an exponential delay (base * 2^(attempts-1), capped), jittered between half and all of it, so
 * deliveries that failed together (a mail server that was down) do not all come back at the same instant.
 * `random` is in [0, 1).
 */
export function afterFailure(
  attempts: number,
  policy: BackoffPolicy,
  random: () => number = Math.random,
): { park: true } | { park: false; delayMs: number } {
  if (attempts >= policy.maxAttempts) return { park: true };
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(attempts - 1, 30));
  return { park: false, delayMs: Math.round(ceiling / 2 + random() * (ceiling / 2)) };
}
