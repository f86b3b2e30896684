import { createRuntimeApp, type ServiceDefinition, type ServiceRuntime } from "@okr/service-kit";
import { actAsPeople } from "./acting-person.ts";
import { cycleReminderConsumer } from "./consumers/cycle-reminders.ts";
import { scoreConsumer } from "./consumers/scores.ts";
import { valueStreamMetricConsumer } from "./consumers/value-stream-metrics.ts";
import { createGoalsDb, type GoalsDb, migrationsDir } from "./database.ts";
import { auditRoutes } from "./routes/audit.ts";
import { checkInRoutes } from "./routes/check-ins.ts";
import { cycleWorkflowRoutes } from "./routes/cycle-workflow.ts";
import { cycleRoutes } from "./routes/cycles.ts";
import { keyResultRoutes } from "./routes/key-results.ts";
import { meRoutes } from "./routes/me.ts";
import { midCycleReviewRoutes } from "./routes/mid-cycle-reviews.ts";
import { objectiveRoutes } from "./routes/objectives.ts";
import { organizationRoutes } from "./routes/organizations.ts";
import { peopleRoutes } from "./routes/people.ts";
import { retrospectiveRoutes } from "./routes/retrospectives.ts";
import { scimDiscoveryRoutes } from "./routes/scim-discovery.ts";
import { scimGroupRoutes } from "./routes/scim-groups.ts";
import { scimTokenRoutes } from "./routes/scim-token.ts";
import { scimUserRoutes } from "./routes/scim-users.ts";
import { teamHeatmapRoutes } from "./routes/team-heatmap.ts";
import { teamRoutes } from "./routes/teams.ts";
import { registerScimProtocol } from "./scim/protocol.ts";

export type GoalsRuntime = ServiceRuntime<GoalsDb>;

/** The goals API's own routes, in the order they are registered (SCIM's come after, in their own scopes). */
const GOALS_ROUTES = [
  organizationRoutes,
  peopleRoutes,
  meRoutes,
  teamRoutes,
  cycleRoutes,
  objectiveRoutes,
  keyResultRoutes,
  checkInRoutes,
  retrospectiveRoutes,
  midCycleReviewRoutes,
  teamHeatmapRoutes,
  auditRoutes,
  cycleWorkflowRoutes,
  scimTokenRoutes,
];

/** The goals service: organizations, team tree, cycles, objectives, key results, check-ins. */
export const goalsService: ServiceDefinition<GoalsDb, GoalsRuntime["config"]> = {
  name: "goals",
  migrationsDir,
  createDb: createGoalsDb,
  disconnectDb: (db) => db.$disconnect(),
  build: async (runtime) => {
    const app = await createRuntimeApp(runtime, {
      description:
        "Set and track OKRs: organizations and their mission, the team tree, people, cycles, objectives, key results, alignment (cascade), check-ins, retrospectives and the audit trail. People and teams can be provisioned by an identity provider over SCIM 2.0 (/scim/v2, application/scim+json, SCIM errors, the tenant's provisioning token).",
      routes: async (app) => {
        actAsPeople(app, runtime);
        for (const routes of GOALS_ROUTES) await app.register(routes(runtime));
        // SCIM speaks its own media type, errors and token: each part is its own encapsulated plugin.
        await app.register(async (scim) => {
          registerScimProtocol(scim, runtime.db);
          await scim.register(scimUserRoutes(runtime));
          await scim.register(scimGroupRoutes(runtime));
        });
        await app.register(async (scim) => {
          registerScimProtocol(scim, runtime.db, { token: false });
          await scim.register(scimDiscoveryRoutes());
        });
      },
    });
    return {
      app,
      background: [
        scoreConsumer(runtime),
        valueStreamMetricConsumer(runtime),
        cycleReminderConsumer(runtime),
      ],
    };
  },
};
