export { arrayLiteral, columnsOf, literalColumnsOf } from "./arrays.ts";
export { dropDatabase, ensureDatabases, maintenanceUrl, withDatabase } from "./databases.ts";
export { applyMigrations, listMigrations, MigrationError } from "./migrations.ts";
export { createPool, type PoolOptions } from "./pool.ts";
export { createPrismaClient } from "./prisma.ts";
export { isRetryableConflict, type RetryOptions, retryOnConflict } from "./retry.ts";
export {
  type PrismaRawClient,
  pgRunner,
  prismaRunner,
  type SqlResult,
  type SqlRunner,
  type SqlStatement,
} from "./sql.ts";
export { isDatabaseUnavailable } from "./unavailable.ts";
