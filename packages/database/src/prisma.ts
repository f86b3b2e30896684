import { PrismaPg } from "@prisma/adapter-pg";
import type pg from "pg";

/** Each service passes its own generated PrismaClient class; the driver adapter shares the service's pool. */
export function createPrismaClient<Client>(
  PrismaClient: new (options: { adapter: PrismaPg }) => Client,
  pool: pg.Pool,
): Client {
  return new PrismaClient({ adapter: new PrismaPg(pool) });
}
