import { randomBytes } from "node:crypto";

/**
 * A name of a test's own (topic, consumer group, client id): `prefix` plus a dash and ten hex digits,
 * the shape the scratch clean-up (infra/cli/scratch.ts) recognises.
 */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(5).toString("hex")}`;
}
