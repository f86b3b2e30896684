import { createRuntimeApp, type ServiceDefinition, type ServiceRuntime } from "@okr/service-kit";
import { type ValueStreamConfig, ValueStreamConfigSchema } from "./config.ts";
import { carriedKeyResultConsumer } from "./consumers/carried-key-results.ts";
import { keyResultReplicaConsumer } from "./consumers/key-results.ts";
import { createValueStreamDb, migrationsDir, type ValueStreamDb } from "./database.ts";
import { MetricPublisher, type MetricPublisherOptions } from "./publisher.ts";
import { bindingRoutes } from "./routes/bindings.ts";
import { familyRoutes } from "./routes/families.ts";
import { kaizenRoutes } from "./routes/kaizens.ts";
import { mapRoutes } from "./routes/maps.ts";
import { stepRoutes } from "./routes/steps.ts";
import { streamRoutes } from "./routes/streams.ts";
import { workItemRoutes } from "./routes/work-items.ts";

export type ValueStreamRuntime = ServiceRuntime<ValueStreamDb, ValueStreamConfig>;

const DESCRIPTION =
  "Lean value streams: maps, flow metrics, waste, pull and kaizen; KRs bound to flow metrics.";

/**
 * The value-stream service. `metrics` sets how metric publication is coalesced: by default a stream's
 * metrics are recomputed at most once a second however many events arrive (tests shorten it).
 */
export function createValueStreamService(
  metrics: MetricPublisherOptions = { intervalMs: 250, minRecomputeMs: 1000 },
): ServiceDefinition<ValueStreamDb, ValueStreamConfig> {
  return {
    name: "value-stream",
    configSchema: ValueStreamConfigSchema,
    migrationsDir,
    createDb: createValueStreamDb,
    disconnectDb: (db) => db.$disconnect(),
    build: async (runtime) => {
      const app = await createRuntimeApp(runtime, {
        description: DESCRIPTION,
        routes: [
          familyRoutes,
          streamRoutes,
          mapRoutes,
          stepRoutes,
          workItemRoutes,
          kaizenRoutes,
          bindingRoutes,
        ],
      });
      return {
        app,
        background: [
          new MetricPublisher(runtime, metrics),
          keyResultReplicaConsumer(runtime),
          carriedKeyResultConsumer(runtime),
        ],
      };
    },
  };
}

/** Lean value streams: maps, flow metrics, waste, pull and kaizen; KRs bound to flow metrics. */
export const valueStreamService = createValueStreamService();
