import { type EventData, type EventEnvelope, ObjectiveAtRisk, ReminderDue } from "@okr/events";
import { EventConsumer, type PgTransaction } from "@okr/messaging";
import { runtimeConsumer } from "@okr/service-kit";
import { insertDeliveries } from "../repositories/deliveries.ts";
import { noteDueAt } from "../repositories/gating.ts";
import { knownObjective } from "../repositories/objectives.ts";
import { knownPeople, knownTeam } from "../repositories/people.ts";
import { planDeliveries } from "../rules/plan.ts";
import { isStale, ownerRecipientIds, recipientIds } from "../rules/recipients.ts";
import { type RenderedMessage, renderAtRisk, renderReminder } from "../rules/template.ts";
import type { NotifierRuntime } from "../service.ts";
import { requireUuidTenant } from "./fold.ts";
import { recordTeamChannels } from "./team-channels.ts";

/**
 * Turns each event of okr.cycle.notifications (a reminder, an objective at risk) into delivery records:
 * its recipients resolved from the replicas, an in-app entry and an email each (and a post per chat
 * channel of a team it is addressed to), written in the same
 * transaction as the consumed event's processed record. The sender loop mails them afterwards; nothing
 * is sent from here, so a redelivered event (same id, unique delivery key) sends nothing twice.
 */
export function notificationConsumer(
  runtime: NotifierRuntime,
  groupId = `${runtime.consumerGroup}.notifications`,
) {
  return new EventConsumer({
    ...runtimeConsumer(runtime, groupId, [ReminderDue, ObjectiveAtRisk]),
    handleBatch: async (events, tx) => {
      for (const event of events) {
        requireUuidTenant(event, `${event.type} ${event.id}`);
        if (event.type === ReminderDue.type) await recordReminder(runtime, event, tx);
        else await recordAtRisk(runtime, event, tx);
      }
    },
  });
}

async function recordReminder(runtime: NotifierRuntime, event: EventEnvelope, tx: PgTransaction) {
  const data = event.data as EventData<typeof ReminderDue>;
  const render = (name: string) => renderReminder(data, name, runtime.config.WEB_URL);
  if (data.recipient.kind === "team") await recordTeamChannels(runtime, event, tx, data.recipient.id, render);
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
  await record(runtime, event, tx, ids, render);
  await noteDueAt(tx, event.id, data.dueAt);
}

async function recordAtRisk(runtime: NotifierRuntime, event: EventEnvelope, tx: PgTransaction) {
  const data = event.data as EventData<typeof ObjectiveAtRisk>;
  const objective = await knownObjective(tx, event.tenant, data.objectiveId);
  if (objective?.owner.kind === "team")
    await recordTeamChannels(runtime, event, tx, objective.owner.id, (name) =>
      renderAtRisk(data, objective.title, name, runtime.config.WEB_URL),
    );
  const team =
    objective?.owner.kind === "team" ? await knownTeam(tx, event.tenant, objective.owner.id) : undefined;
  const ids = objective ? ownerRecipientIds(objective.owner, team) : [];
  if (!objective || ids.length === 0) {
    runtime.log(
      "warn",
      `at-risk alert ${event.id}: objective ${data.objectiveId} has no known owner to alert`,
    );
    return;
  }
  await record(runtime, event, tx, ids, (name) =>
    renderAtRisk(data, objective.title, name, runtime.config.WEB_URL),
  );
}

async function record(
  runtime: NotifierRuntime,
  event: EventEnvelope,
  tx: PgTransaction,
  ids: string[],
  render: (name: string) => RenderedMessage,
) {
  const people = await knownPeople(tx, event.tenant, ids);
  const stale = isStale(event.time, new Date(), runtime.config.REMINDER_MAX_AGE_MS);
  await insertDeliveries(tx, event, planDeliveries(ids, people, render, { stale }));
}
