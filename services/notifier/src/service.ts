import { createRuntimeApp, type ServiceDefinition, type ServiceRuntime } from "@okr/service-kit";
import { type NotifierConfig, NotifierConfigSchema } from "./config.ts";
import { peopleReplicaConsumer, teamReplicaConsumer } from "./consumers/people.ts";
import { reminderConsumer } from "./consumers/reminders.ts";
import { createNotifierDb, migrationsDir, type NotifierDb } from "./database.ts";
import { EmailSender } from "./delivery/sender.ts";
import { deliveryRoutes } from "./routes/deliveries.ts";
import { inboxRoutes } from "./routes/inbox.ts";

export type NotifierRuntime = ServiceRuntime<NotifierDb, NotifierConfig>;

/**
 * The notifier: learns people and teams from the catalog's events alone, turns each reminder into
 * delivery records (email and in-app inbox), and sends the emails over SMTP with retries.
 */
export const notifierService: ServiceDefinition<NotifierDb, NotifierConfig> = {
  name: "notifier",
  configSchema: NotifierConfigSchema,
  migrationsDir,
  createDb: createNotifierDb,
  disconnectDb: async () => {},
  build: async (runtime) => {
    const app = await createRuntimeApp(runtime, {
      description:
        "Reminders from the cycle workflows delivered by email and to each person's in-app inbox, from events alone.",
      routes: [deliveryRoutes, inboxRoutes],
    });
    return {
      app,
      background: [
        peopleReplicaConsumer(runtime),
        teamReplicaConsumer(runtime),
        reminderConsumer(runtime),
        new EmailSender(runtime),
      ],
    };
  },
};
