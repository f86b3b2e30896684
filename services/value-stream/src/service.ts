import { createServiceApp, type ServiceDefinition, type ServiceRuntime } from "@okr/service-kit";
import { createValueStreamDb, migrationsDir, type ValueStreamDb } from "./database.ts";

export type ValueStreamRuntime = ServiceRuntime<ValueStreamDb>;

/** Lean value streams: maps, flow metrics, waste, pull and kaizen; KRs bound to flow metrics. */
export const valueStreamService: ServiceDefinition<ValueStreamDb, ValueStreamRuntime["config"]> = {
  name: "value-stream",
  migrationsDir,
  createDb: createValueStreamDb,
  disconnectDb: (db) => db.$disconnect(),
  build: async (runtime) => {
    const app = await createServiceApp({
      name: "value-stream",
      description:
        "Lean value streams: maps, flow metrics, waste, pull and kaizen; KRs bound to flow metrics.",
      auth: { secret: runtime.config.AUTH_JWT_SECRET, issuer: runtime.config.AUTH_JWT_ISSUER },
      logger: { level: runtime.config.LOG_LEVEL },
      readiness: { database: () => runtime.pool.query("select 1") },
      routes: async () => {},
    });
    return { app, background: [] };
  },
};
