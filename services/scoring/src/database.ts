import { fileURLToPath } from "node:url";
import { createPrismaClient } from "@okr/database";
import type pg from "pg";
import { PrismaClient } from "./generated/prisma/client.ts";

export type ScoringDb = PrismaClient;
export const migrationsDir = fileURLToPath(new URL("../prisma/migrations", import.meta.url));
export const createScoringDb = (pool: pg.Pool): ScoringDb => createPrismaClient(PrismaClient, pool);
