import { randomBytes } from "node:crypto";

/**
 * A name of a test's own (topic, consumer group, client id): `prefix` plus a dash and ten hex digits,
 * the shape the scratch clean-up (infra/cli/scratch.ts) recognises.
 */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(5).toString("hex")}`;
}

/** A topic named by `uniqueName` (or its dead-letter topic, `.dlq`): a test's or a benchmark's own; platform topics never are. */
export function isScratchTopic(topic: string): boolean {
  return /-[0-9a-f]{10}(\.dlq)?$/.test(topic);
}
