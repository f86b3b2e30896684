import { createRuntimeApp, type ServiceDefinition, type ServiceRuntime } from "@okr/service-kit";
import { type NotifierConfig, NotifierConfigSchema } from "./config.ts";
import { activityConsumer } from "./consumers/activity.ts";
import { notificationConsumer } from "./consumers/notifications.ts";
import { objectiveReplicaConsumer } from "./consumers/objectives.ts";
import { peopleReplicaConsumer, teamReplicaConsumer } from "./consumers/people.ts";
import { webhookConsumer } from "./consumers/webhooks.ts";
import { createNotifierDb, migrationsDir, type NotifierDb } from "./database.ts";
import { DigestScheduler } from "./delivery/digest-scheduler.ts";
import { OutboundSender } from "./delivery/outbound.ts";
import { EmailSender } from "./delivery/sender.ts";
import { TeamDigestScheduler } from "./delivery/team-digest-scheduler.ts";
import { deliveryRoutes } from "./routes/deliveries.ts";
import { inboxRoutes } from "./routes/inbox.ts";
import { preferenceRoutes } from "./routes/preferences.ts";
import { teamChannelRoutes } from "./routes/team-channels.ts";
import { webhookRoutes } from "./routes/webhooks.ts";

export type NotifierRuntime = ServiceRuntime<NotifierDb, NotifierConfig>;

/**
 * The notifier: learns people, teams and objective owners from the catalog's events alone, turns each
 * reminder and at-risk alert into delivery records (email, in-app inbox, the team's Slack and Teams
 * channels), posts catalog events to the tenants' webhook endpoints, and sends with retries, emails as
 * each person's preferences say (quiet hours, out of office, daily or weekly digests).
 */
export const notifierService: ServiceDefinition<NotifierDb, NotifierConfig> = {
  name: "notifier",
  configSchema: NotifierConfigSchema,
  migrationsDir,
  createDb: createNotifierDb,
  build: async (runtime) => {
    const app = await createRuntimeApp(runtime, {
      description:
        "Reminders and at-risk alerts from the cycle workflows delivered by email (as each person's preferences say), to each person's in-app inbox and to teams' Slack and Teams channels; catalog events to signed webhooks; from events alone.",
      routes: [deliveryRoutes, inboxRoutes, preferenceRoutes, teamChannelRoutes, webhookRoutes],
    });
    const emailSender = new EmailSender(runtime);
    return {
      app,
      background: [
        peopleReplicaConsumer(runtime),
        teamReplicaConsumer(runtime),
        objectiveReplicaConsumer(runtime),
        notificationConsumer(runtime, { onCommitted: () => emailSender.wake() }),
        activityConsumer(runtime),
        webhookConsumer(runtime),
        emailSender,
        new OutboundSender(runtime),
        new DigestScheduler(runtime),
        new TeamDigestScheduler(runtime),
      ],
    };
  },
};
