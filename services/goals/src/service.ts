import { createRuntimeApp, type ServiceDefinition, type ServiceRuntime } from "@okr/service-kit";
import { scoreConsumer } from "./consumers/scores.ts";
import { valueStreamMetricConsumer } from "./consumers/value-stream-metrics.ts";
import { createGoalsDb, type GoalsDb, migrationsDir } from "./database.ts";
import { auditRoutes } from "./routes/audit.ts";
import { checkInRoutes } from "./routes/check-ins.ts";
import { cycleWorkflowRoutes } from "./routes/cycle-workflow.ts";
import { cycleRoutes } from "./routes/cycles.ts";
import { keyResultRoutes } from "./routes/key-results.ts";
import { objectiveRoutes } from "./routes/objectives.ts";
import { organizationRoutes } from "./routes/organizations.ts";
import { peopleRoutes } from "./routes/people.ts";
import { retrospectiveRoutes } from "./routes/retrospectives.ts";
import { teamRoutes } from "./routes/teams.ts";

export type GoalsRuntime = ServiceRuntime<GoalsDb>;

/** The goals service: organizations, team tree, cycles, objectives, key results, check-ins. */
export const goalsService: ServiceDefinition<GoalsDb, GoalsRuntime["config"]> = {
  name: "goals",
  migrationsDir,
  createDb: createGoalsDb,
  disconnectDb: (db) => db.$disconnect(),
  build: async (runtime) => {
    const app = await createRuntimeApp(runtime, {
      description:
        "Set and track OKRs: organizations and their mission, the team tree, people, cycles, objectives, key results, alignment (cascade), check-ins, retrospectives and the audit trail.",
      routes: [
        organizationRoutes,
        peopleRoutes,
        teamRoutes,
        cycleRoutes,
        objectiveRoutes,
        keyResultRoutes,
        checkInRoutes,
        retrospectiveRoutes,
        auditRoutes,
        cycleWorkflowRoutes,
      ],
    });
    return { app, background: [scoreConsumer(runtime), valueStreamMetricConsumer(runtime)] };
  },
};
