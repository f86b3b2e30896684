import { randomUUID } from "node:crypto";
import { type EventData, ReminderDue } from "@okr/events";
import { sendEvent, waitFor } from "@okr/testkit";
import { afterAll } from "vitest";
import type { GoalsTestService } from "./support.ts";

/** A reminder's payload with its vocabularies spelled out (the contract's own type leaves them opaque). */
export type Reminder = Omit<EventData<typeof ReminderDue>, "phase" | "action"> & {
  phase: "SETTING" | "CASCADE" | "CHECK_INS" | "SCORING" | "RETROSPECTIVE" | "CLOSED";
  action: "draft-objectives" | "approve-objectives" | "check-in" | "mid-cycle-review" | "retrospective";
};

export const reminder = (fields: Partial<Reminder> = {}): Reminder => ({
  cycleId: randomUUID(),
  phase: "SETTING",
  action: "draft-objectives",
  recipient: { kind: "person", id: randomUUID() },
  dueAt: new Date(Date.now() + 86_400_000).toISOString(),
  escalation: false,
  message: "Please draft and submit objectives.",
  ...fields,
});

/**
 * Publishes reminders as the cycle worker does (straight to Kafka, the id given or a fresh one); the
 * producer is closed after the file's tests.
 */
export function reminderPublisher(service: GoalsTestService) {
  const producer = service.runtime.bus.producer();
  const connected = producer.connect();
  afterAll(() => producer.disconnect());
  return {
    async publish(tenant: string, data: Reminder, context: { id?: string; time?: Date } = {}) {
      await connected;
      return sendEvent(producer, ReminderDue, data as EventData<typeof ReminderDue>, tenant, context);
    },
    /** Publishes the reminders (tenant and payload each) and waits until goals has stored every one. */
    async publishStored(
      ...reminders: (readonly [tenant: string, data: Reminder, context?: { time?: Date }])[]
    ) {
      const ids: string[] = [];
      for (const [tenant, data, context] of reminders)
        ids.push((await this.publish(tenant, data, context)).id);
      await waitFor(
        "the reminders stored",
        async () =>
          (await service.runtime.db.cycleReminder.count({ where: { id: { in: ids } } })) === ids.length,
      );
    },
    /** A message on the reminders' topic as it arrives, valid or not. */
    async publishRaw(key: string, value: string) {
      await connected;
      await producer.send([{ topic: ReminderDue.topic, key, value, headers: {} }]);
    },
  };
}
