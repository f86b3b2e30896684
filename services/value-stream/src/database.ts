import { fileURLToPath } from "node:url";
import { createPrismaClient } from "@okr/database";
import type pg from "pg";
import { PrismaClient } from "./generated/prisma/client.ts";

export type ValueStreamDb = PrismaClient;
export const migrationsDir = fileURLToPath(new URL("../prisma/migrations", import.meta.url));
export const createValueStreamDb = (pool: pg.Pool): ValueStreamDb => createPrismaClient(PrismaClient, pool);
