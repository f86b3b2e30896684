import { createRuntimeApp, type ServiceDefinition, type ServiceRuntime } from "@okr/service-kit";
import { createValueStreamDb, migrationsDir, type ValueStreamDb } from "./database.ts";

export type ValueStreamRuntime = ServiceRuntime<ValueStreamDb>;

/** Lean value streams: maps, flow metrics, waste, pull and kaizen; KRs bound to flow metrics. */
export const valueStreamService: ServiceDefinition<ValueStreamDb, ValueStreamRuntime["config"]> = {
  name: "value-stream",
  migrationsDir,
  createDb: createValueStreamDb,
  disconnectDb: (db) => db.$disconnect(),
  build: async (runtime) => {
    const app = await createRuntimeApp(runtime, {
      description:
        "Lean value streams: maps, flow metrics, waste, pull and kaizen; KRs bound to flow metrics.",
      routes: async () => {},
    });
    return { app, background: [] };
  },
};
