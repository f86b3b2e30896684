import { createRuntimeApp, type ServiceDefinition, type ServiceRuntime } from "@okr/service-kit";
import { createScoringConsumer, type ScoringConsumerOptions } from "./consumer.ts";
import { createScoringDb, migrationsDir, type ScoringDb } from "./database.ts";
import { cycleRoutes } from "./routes/cycles.ts";
import { policyRoutes } from "./routes/policies.ts";
import { scoreRoutes } from "./routes/scores.ts";

export type ScoringRuntime = ServiceRuntime<ScoringDb>;

/**
 * The scoring service: consumes goals events into its own read model, keeps KR and objective scores
 * current (publishing score events), and serves scores, history, heatmap, at-risk lists and final grading.
 * The consumer group is the runtime's (replicas share it; every test instance gets its own); tests and
 * benchmarks may pass topics of their own so each run reads exactly the stream it wrote.
 */
export function createScoringService(
  consumer: Partial<ScoringConsumerOptions> = {},
): ServiceDefinition<ScoringDb, ScoringRuntime["config"]> {
  return {
    name: "scoring",
    migrationsDir,
    createDb: createScoringDb,
    build: async (runtime) => {
      const app = await createRuntimeApp(runtime, {
        description:
          "KR, objective, team and organization scores from events, under named, versioned policies.",
        routes: [scoreRoutes, cycleRoutes, policyRoutes],
      });
      const scoring = createScoringConsumer(runtime.pool, runtime.bus, {
        groupId: runtime.consumerGroup,
        log: runtime.log,
        ...consumer,
      });
      return { app, background: [scoring] };
    },
  };
}

export const scoringService = createScoringService();
