export { createPool, type PoolOptions } from "./pool.ts";
export { createPrismaClient } from "./prisma.ts";
export { applyMigrations, listMigrations, MigrationError } from "./migrations.ts";
export { ensureDatabases, dropDatabase, maintenanceUrl, withDatabase } from "./databases.ts";
