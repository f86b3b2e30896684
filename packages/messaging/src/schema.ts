import { readFileSync } from "node:fs";

/**
 * The messaging tables' DDL. Every service's first migration.sql is a symbolic link to this file: one text
 * for Prisma and for the runner, and its bytes (so its checksum in `_prisma_migrations`) never change.
 */
export const MESSAGING_TABLES_SQL = readFileSync(
  new URL("../sql/messaging-tables.sql", import.meta.url),
  "utf8",
);
