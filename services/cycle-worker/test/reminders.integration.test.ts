import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { CYCLE_TOPICS, cycleEvents, type EventEnvelope, EventRegistry } from "@okr/events";
import { EventConsumer, HEADER, MESSAGING_TABLES_SQL, pgTransaction } from "@okr/messaging";
import { createTestDatabase, testBus, uniqueName, waitFor } from "@okr/testkit";
import { describe, expect, it } from "vitest";
import { createCycleActivities } from "../src/activities.ts";
import { deterministicEventId } from "../src/event-ids.ts";
import type { ServiceCaller } from "../src/http.ts";

const unusedService: ServiceCaller = {
  call: async () => {
    throw new Error("no HTTP in this test");
  },
};

describe("reminders on the real Kafka broker", () => {
  it("publishes ReminderDue with a deterministic id, so a retried activity's duplicate is dropped by an idempotent consumer", async () => {
    const bus = testBus();
    await bus.ensureTopics([CYCLE_TOPICS.notifications]);
    const producer = bus.producer();
    await producer.connect();
    const activities = createCycleActivities({ goals: unusedService, scoring: unusedService, producer });
    const organizationId = randomUUID();
    const cycleId = randomUUID();
    const recipient = randomUUID();
    const workflowId = `okr-team/${organizationId}/${cycleId}/${randomUUID()}`;
    const reminder = {
      key: `CASCADE/team/escalation/1767225600000/${recipient}`,
      phase: "CASCADE" as const,
      action: "draft-objectives" as const,
      recipient: { kind: "person" as const, id: recipient },
      dueAt: "2027-01-01T00:00:00.000Z",
      escalation: true,
      message: "Escalation: team Sales missed its drafting deadline.",
      teamId: randomUUID(),
    };
    // The first attempt published, then the worker died before reporting it: the retry publishes again.
    await activities.publishReminders({ organizationId, cycleId, workflowId, reminders: [reminder] });
    await activities.publishReminders({ organizationId, cycleId, workflowId, reminders: [reminder] });
    await producer.disconnect();

    // On the topic: two messages, one event id.
    const raw = bus.consumer(uniqueName("raw-reader"));
    const ours: string[] = [];
    await raw.connect();
    await raw.subscribe([CYCLE_TOPICS.notifications], { fromBeginning: true });
    await raw.run({
      eachMessage: async (message) => {
        if (message.headers[HEADER.tenant] === organizationId)
          ours.push(message.headers[HEADER.id] as string);
      },
    });
    try {
      await waitFor("both publishes on the topic", () => ours.length === 2);
    } finally {
      await raw.disconnect();
    }
    expect(new Set(ours).size).toBe(1);

    // An idempotent consumer applies it once.
    const db = await createTestDatabase({ sql: MESSAGING_TABLES_SQL });
    const applied: EventEnvelope[] = [];
    const consumer = new EventConsumer({
      bus,
      groupId: uniqueName("notifier"),
      registry: new EventRegistry(cycleEvents),
      transaction: (work) => pgTransaction(db.pool, work),
      handle: async (event) => {
        if (event.tenant === organizationId) applied.push(event);
      },
    });
    try {
      await consumer.start();
      await waitFor("the reminder to be applied", () => applied.length === 1);
      // The duplicate follows on the same partition (keyed by cycle): give it time to arrive and be dropped.
      await sleep(1_500);
    } finally {
      await consumer.stop();
      await db.drop();
    }
    expect(applied).toHaveLength(1);
    expect(applied[0]).toMatchObject({
      id: deterministicEventId(workflowId, reminder.key),
      type: "okr.cycle.reminder-due.v1",
      source: "/okr/cycle-worker",
      subject: recipient,
      partitionkey: cycleId,
      data: {
        cycleId,
        phase: "CASCADE",
        action: "draft-objectives",
        escalation: true,
        recipient: reminder.recipient,
        teamId: reminder.teamId,
      },
    });
  });
});
