import { type EventData, isUuid, ReminderDue } from "@okr/events";
import { EventConsumer, type PgTransaction, PoisonEventError } from "@okr/messaging";
import { runtimeConsumer } from "@okr/service-kit";
import { storeReminders } from "../repositories/cycle-reminders.ts";
import type { GoalsRuntime } from "../service.ts";

/**
 * Keeps the reminders the cycle workflows publish (deadlines to draft and approve, mid-cycle reviews,
 * retrospectives), which only the workflows know, so My work can show them. The topic's at-risk alerts
 * are not in this consumer's registry and are skipped; a malformed reminder goes to the dead-letter topic.
 */
export function cycleReminderConsumer(
  runtime: GoalsRuntime,
  groupId = `${runtime.consumerGroup}.cycle-reminders`,
) {
  return new EventConsumer<PgTransaction>({
    ...runtimeConsumer(runtime, groupId, [ReminderDue]),
    // Stored under the event's own id with `on conflict do nothing`: a redelivery writes nothing.
    deduplicatesItself: () => true,
    handleBatch: async (events, tx) => {
      // Thrown, the batch is replayed one event at a time and only the poison one is dead-lettered.
      for (const event of events)
        if (!isUuid(event.tenant))
          throw new PoisonEventError(`reminder ${event.id}: tenant ${event.tenant} is not a uuid`);
      await storeReminders(
        tx,
        events.map((event) => ({
          eventId: event.id,
          tenant: event.tenant,
          sentAt: event.time,
          data: event.data as EventData<typeof ReminderDue>,
        })),
      );
    },
  });
}
