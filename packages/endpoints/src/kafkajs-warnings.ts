/**
 * kafkajs 2.2.4 schedules its request-queue check with a negative delay (RequestQueue.scheduleCheckPendingRequests);
 * Node clamps it to 1 ms and warns on every connection. The behaviour is right, so drop just that warning.
 * It lives in this dependency-free package because both the bus (@okr/messaging) and the native broker's
 * readiness probe (@okr/native-infra) connect with kafkajs, and neither may depend on the other.
 */
export function silenceKafkajsNegativeTimeoutWarning(): void {
  const marker = Symbol.for("okr.kafkajs-timeout-warning-filter");
  const holder = process as unknown as Record<symbol, boolean>;
  if (holder[marker]) return;
  holder[marker] = true;
  const emitWarning = process.emitWarning.bind(process) as (...args: unknown[]) => void;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const name =
      typeof warning === "string" ? (rest[0] as string | { type?: string } | undefined) : warning.name;
    const type = typeof name === "string" ? name : name?.type;
    if (type === "TimeoutNegativeWarning") return;
    emitWarning(warning, ...rest);
  }) as typeof process.emitWarning;
}
