import { fileURLToPath } from "node:url";
import { createPrismaClient, type RetryOptions, retryOnConflict } from "@okr/database";
import type pg from "pg";
import { type Prisma, PrismaClient } from "./generated/prisma/client.ts";

export type GoalsDb = PrismaClient;
/** A goals Prisma transaction: what repositories and routes write through (its raw SQL via `prismaRunner`). */
export type GoalsTx = Prisma.TransactionClient;
export const migrationsDir = fileURLToPath(new URL("../prisma/migrations", import.meta.url));
export const createGoalsDb = (pool: pg.Pool): GoalsDb => createPrismaClient(PrismaClient, pool);

/**
 * Every goals transaction runs here: one that Postgres aborted to break a deadlock or a serialization
 * conflict (nothing of it kept) runs again, a bounded number of times, instead of answering 500. `work`
 * must therefore touch nothing outside the database that a second run would repeat.
 */
export function transaction<T>(
  db: GoalsDb,
  work: (tx: GoalsTx) => Promise<T>,
  options?: { timeout?: number; maxWait?: number; retry?: RetryOptions },
): Promise<T> {
  const { retry, ...transactionOptions } = options ?? {};
  return retryOnConflict(() => db.$transaction(work, transactionOptions), retry);
}
