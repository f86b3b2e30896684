import { createHash } from "node:crypto";

/**
 * The event id of a reminder or alert: a name-based UUID (version 5 layout over SHA-256) of the workflow
 * id and the reminder's key. A retried activity republishes the same id, so idempotent consumers drop
 * the duplicate.
 */
export function deterministicEventId(workflowId: string, key: string): string {
  const hash = createHash("sha256").update(`${workflowId}\u0000${key}`).digest();
  hash[6] = ((hash[6] as number) & 0x0f) | 0x50;
  hash[8] = ((hash[8] as number) & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
