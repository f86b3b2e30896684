import { createServiceApp, type ServiceDefinition, type ServiceRuntime } from "@okr/service-kit";
import { createScoringDb, migrationsDir, type ScoringDb } from "./database.ts";

export type ScoringRuntime = ServiceRuntime<ScoringDb>;

/** KR, objective, team and organization scores from events, under named, versioned policies. */
export const scoringService: ServiceDefinition<ScoringDb, ScoringRuntime["config"]> = {
  name: "scoring",
  migrationsDir,
  createDb: createScoringDb,
  disconnectDb: (db) => db.$disconnect(),
  build: async (runtime) => {
    const app = await createServiceApp({
      name: "scoring",
      description:
        "KR, objective, team and organization scores from events, under named, versioned policies.",
      auth: { secret: runtime.config.AUTH_JWT_SECRET, issuer: runtime.config.AUTH_JWT_ISSUER },
      logger: { level: runtime.config.LOG_LEVEL },
      readiness: { database: () => runtime.pool.query("select 1") },
      routes: async () => {},
    });
    return { app, background: [] };
  },
};
