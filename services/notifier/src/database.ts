import { fileURLToPath } from "node:url";

/**
 * The notifier has no ORM client: consumers, sender and routes query through the service's pg pool
 * (`runtime.pool`), their SQL in src/repositories. prisma/schema.prisma describes every table, for
 * Prisma's migrate commands.
 */
export type NotifierDb = undefined;
export const migrationsDir = fileURLToPath(new URL("../prisma/migrations", import.meta.url));
export const createNotifierDb = (): NotifierDb => undefined;
