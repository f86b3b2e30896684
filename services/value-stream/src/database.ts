import { fileURLToPath } from "node:url";
import { createPrismaClient } from "@okr/database";
import type pg from "pg";
import { type Prisma, PrismaClient } from "./generated/prisma/client.ts";

export type ValueStreamDb = PrismaClient;
/** A value-stream Prisma transaction: what routes write through (its raw SQL via `prismaRunner`). */
export type ValueStreamTx = Prisma.TransactionClient;
export const migrationsDir = fileURLToPath(new URL("../prisma/migrations", import.meta.url));
export const createValueStreamDb = (pool: pg.Pool): ValueStreamDb => createPrismaClient(PrismaClient, pool);
