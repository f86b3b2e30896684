import { createRuntimeApp, type ServiceDefinition, type ServiceRuntime } from "@okr/service-kit";
import { type NotifierConfig, NotifierConfigSchema } from "./config.ts";
import { activityConsumer } from "./consumers/activity.ts";
import { notificationConsumer } from "./consumers/notifications.ts";
import { objectiveReplicaConsumer } from "./consumers/objectives.ts";
import { peopleReplicaConsumer, teamReplicaConsumer } from "./consumers/people.ts";
import { createNotifierDb, migrationsDir, type NotifierDb } from "./database.ts";
import { DigestScheduler } from "./delivery/digest-scheduler.ts";
import { EmailSender } from "./delivery/sender.ts";
import { deliveryRoutes } from "./routes/deliveries.ts";
import { inboxRoutes } from "./routes/inbox.ts";
import { preferenceRoutes } from "./routes/preferences.ts";

export type NotifierRuntime = ServiceRuntime<NotifierDb, NotifierConfig>;

/**
 * The notifier: learns people, teams and objective owners from the catalog's events alone, turns each
 * reminder and at-risk alert into delivery records (email and in-app inbox), and sends the emails over SMTP with retries,
 * as each person's preferences say (quiet hours, out of office, daily or weekly digests).
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
        "Reminders and at-risk alerts from the cycle workflows delivered by email and to each person's in-app inbox, from events alone.",
      routes: [deliveryRoutes, inboxRoutes, preferenceRoutes],
    });
    return {
      app,
      background: [
        peopleReplicaConsumer(runtime),
        teamReplicaConsumer(runtime),
        objectiveReplicaConsumer(runtime),
        notificationConsumer(runtime),
        activityConsumer(runtime),
        new EmailSender(runtime),
        new DigestScheduler(runtime),
      ],
    };
  },
};
