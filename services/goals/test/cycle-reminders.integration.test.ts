import { randomUUID } from "node:crypto";
import { createEvent, ObjectiveAtRisk, ReminderDue } from "@okr/events";
import { deadLetterTopic, HEADER } from "@okr/messaging";
import { findMessage, waitFor } from "@okr/testkit";
import { describe, expect, it } from "vitest";
import { reminder, reminderPublisher } from "./reminders.ts";
import { startGoalsWithOrganizations } from "./support.ts";

const { service } = await startGoalsWithOrganizations([]);
const reminders = reminderPublisher(service);
const storedFor = (tenantId: string) =>
  service.runtime.db.cycleReminder.findMany({ where: { tenantId }, orderBy: { sentAt: "asc" } });

/** The headers of the dead letter of event `id` on the reminders' dead-letter topic. */
const deadLetterOf = async (id: string) =>
  (
    await findMessage(
      deadLetterTopic(ReminderDue.topic),
      (message) => JSON.parse(message.value?.toString() ?? "{}").id === id,
      { timeoutMs: 60_000 },
    )
  ).headers;

describe("cycle reminders consumed into goals", () => {
  it("stores each reminder once under its event id, with the tenant of its envelope", async () => {
    const tenant = randomUUID();
    const other = randomUUID();
    const teamId = randomUUID();
    const data = reminder({ teamId, escalation: true });
    const id = randomUUID();
    const sent = new Date(Date.now() - 60_000);
    // The worker's retried publish: the same event id twice.
    await reminders.publish(tenant, data, { id, time: sent });
    await reminders.publish(tenant, data, { id, time: sent });
    // Same cycle, so the same partition: these arrive after the duplicate, which has been dropped by then.
    // Without a team (an older reminder): still stored, with no team.
    const older = await reminders.publish(tenant, reminder({ cycleId: data.cycleId }));
    await reminders.publish(other, reminder({ cycleId: data.cycleId }));
    const rows = await waitFor("both reminders of the tenant", async () => {
      const found = await storedFor(tenant);
      return found.length === 2 ? found : undefined;
    });
    expect(rows[0]).toMatchObject({
      id,
      tenantId: tenant,
      cycleId: data.cycleId,
      teamId,
      phase: "SETTING",
      action: "draft-objectives",
      recipientKind: "person",
      recipientId: data.recipient.id,
      escalation: true,
    });
    expect(rows[0]?.dueAt.toISOString()).toBe(data.dueAt);
    expect(rows[0]?.sentAt.toISOString()).toBe(sent.toISOString());
    expect(rows[1]).toMatchObject({ id: older.id, teamId: null });
    expect(await storedFor(other)).toHaveLength(1);
  });

  it("skips the topic's at-risk alerts and dead-letters reminders it can never store", async () => {
    const tenant = randomUUID();
    const alert = createEvent(
      ObjectiveAtRisk,
      {
        cycleId: randomUUID(),
        objectiveId: randomUUID(),
        score: 0.1,
        expected: 0.5,
        reasons: ["behind"],
        detectedAt: new Date().toISOString(),
      },
      { tenant },
    );
    await reminders.publishRaw(alert.partitionkey, JSON.stringify(alert));
    const poison = await reminders.publish("not-a-uuid", reminder());
    const invalid = { ...createEvent(ReminderDue, reminder() as never, { tenant }), data: { cycleId: "x" } };
    await reminders.publishRaw(invalid.partitionkey, JSON.stringify(invalid));
    const after = await reminders.publish(tenant, reminder());

    const dead = await deadLetterOf(poison.id);
    expect(dead[HEADER.deadLetter.errorType]).toBe("PoisonEventError");
    expect(dead[HEADER.deadLetter.error]).toMatch(/not a uuid/);
    expect((await deadLetterOf(invalid.id))[HEADER.deadLetter.errorType]).toBe("InvalidEventError");
    // Consumption went on past them; the alert left nothing behind.
    await waitFor("the reminder after the poison ones", async () => (await storedFor(tenant)).length === 1);
    expect((await storedFor(tenant)).map((row) => row.id)).toEqual([after.id]);
  });
});
