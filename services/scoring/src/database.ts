import { fileURLToPath } from "node:url";

/**
 * Scoring has no ORM client: the consumer, the roll-up and the routes all query through the service's pg
 * pool (`runtime.pool`). prisma/schema.prisma still describes every table, for Prisma's migrate commands.
 */
export type ScoringDb = undefined;
export const migrationsDir = fileURLToPath(new URL("../prisma/migrations", import.meta.url));
export const createScoringDb = (): ScoringDb => undefined;
