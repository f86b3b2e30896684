import { type EventData, type EventEnvelope, isUuid, ReminderDue } from "@okr/events";
import { EventConsumer, type PgTransaction, PoisonEventError } from "@okr/messaging";
import { runtimeConsumer } from "@okr/service-kit";
import { insertDeliveries } from "../repositories/deliveries.ts";
import { knownPeople, knownTeam } from "../repositories/people.ts";
import { planDeliveries } from "../rules/plan.ts";
import { isStale, recipientIds } from "../rules/recipients.ts";
import { renderReminder } from "../rules/template.ts";
import type { NotifierRuntime } from "../service.ts";

/**
 * Turns each okr.cycle.reminder-due.v1 into delivery records: its recipients resolved from the replicas
 * (a person, or a team's members or leaders), an in-app entry and an email each, written in the same
 * transaction as the consumed event's processed record. The sender loop mails them afterwards; nothing
 * is sent from here, so a redelivered event (same id, unique delivery key) sends nothing twice.
 * ObjectiveAtRisk shares the topic and is skipped unparsed until the notifier handles it.
 */
export function reminderConsumer(runtime: NotifierRuntime, groupId = `${runtime.consumerGroup}.reminders`) {
  return new EventConsumer({
    ...runtimeConsumer(runtime, groupId, [ReminderDue]),
    handleBatch: async (events, tx) => {
      for (const event of events) await recordReminder(runtime, event, tx);
    },
  });
}

async function recordReminder(runtime: NotifierRuntime, event: EventEnvelope, tx: PgTransaction) {
  const data = event.data as EventData<typeof ReminderDue>;
  if (!isUuid(event.tenant))
    throw new PoisonEventError(`reminder ${event.id}: tenant ${event.tenant} is not a uuid`);
  const team =
    data.recipient.kind === "team" ? await knownTeam(tx, event.tenant, data.recipient.id) : undefined;
  const ids = recipientIds(data, team);
  if (ids.length === 0) {
    runtime.log(
      "warn",
      `reminder ${event.id}: team ${data.recipient.id} has no known people; nobody to remind`,
    );
    return;
  }
  const people = await knownPeople(tx, event.tenant, ids);
  const { WEB_URL, REMINDER_MAX_AGE_MS } = runtime.config;
  const planned = planDeliveries(ids, people, (name) => renderReminder(data, name, WEB_URL), {
    stale: isStale(event.time, new Date(), REMINDER_MAX_AGE_MS),
  });
  await insertDeliveries(tx, event, planned);
}
