import { createRuntimeApp, type ServiceDefinition, type ServiceRuntime } from "@okr/service-kit";
import { createGoalsDb, type GoalsDb, migrationsDir } from "./database.ts";
import { organizationRoutes } from "./routes/organizations.ts";

export type GoalsRuntime = ServiceRuntime<GoalsDb>;

/** The goals service: organizations, team tree, cycles, objectives, key results, check-ins. */
export const goalsService: ServiceDefinition<GoalsDb, GoalsRuntime["config"]> = {
  name: "goals",
  migrationsDir,
  createDb: createGoalsDb,
  disconnectDb: (db) => db.$disconnect(),
  build: async (runtime) => {
    const app = await createRuntimeApp(runtime, {
      description: "Set and track OKRs: organizations, teams, cycles, objectives, key results, check-ins.",
      routes: async (app) => {
        await app.register(organizationRoutes(runtime));
      },
    });
    return { app, background: [] };
  },
};
