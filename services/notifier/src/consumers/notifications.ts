import { type EventData, type EventEnvelope, ObjectiveAtRisk, ReminderDue } from "@okr/events";
import { EventConsumer, type PgTransaction, pgTransaction } from "@okr/messaging";
import { runtimeConsumer } from "@okr/service-kit";
import { insertEventDeliveries } from "../repositories/deliveries.ts";
import { noteDueAt } from "../repositories/gating.ts";
import { knownObjective } from "../repositories/objectives.ts";
import { knownPeople, knownTeam } from "../repositories/people.ts";
import { planDeliveries } from "../rules/plan.ts";
import { isStale, ownerRecipientIds, recipientIds } from "../rules/recipients.ts";
import { type RenderedMessage, renderAtRisk, renderReminder } from "../rules/template.ts";
import type { NotifierRuntime } from "../service.ts";
import { requireUuidTenant } from "./fold.ts";
import { recordTeamChannels } from "./team-channels.ts";

/** Partitions of okr.cycle.notifications whose chunks are written at the same time. */
const PARTITIONS_AT_ONCE = 4;

/** An event's people to notify, with its message rendered for each, and a reminder's deadline. */
interface Audience {
  event: EventEnvelope;
  ids: string[];
  render: (name: string) => RenderedMessage;
  dueAt?: string;
}

/**
 * Turns each event of okr.cycle.notifications (a reminder, an objective at risk) into delivery records:
 * its recipients resolved from the replicas, an in-app entry and an email each (and a post per chat
 * channel of a team it is addressed to), written in the same
 * transaction as the consumed event's processed record. The sender loop mails them afterwards; nothing
 * is sent from here, so a redelivered event (same id, unique delivery key) sends nothing twice.
 * A chunk's people are looked up and its deliveries written together, a few statements per chunk.
 * `onCommitted` runs after each committed chunk (the email sender of the process is woken by it), and
 * partitions are consumed concurrently, each chunk in its own transaction.
 */
export function notificationConsumer(
  runtime: NotifierRuntime,
  options: { groupId?: string; onCommitted?: () => void } = {},
) {
  const groupId = options.groupId ?? `${runtime.consumerGroup}.notifications`;
  return new EventConsumer({
    ...runtimeConsumer(runtime, groupId, [ReminderDue, ObjectiveAtRisk]),
    partitionsConsumedConcurrently: PARTITIONS_AT_ONCE,
    transaction: async <T>(work: (tx: PgTransaction) => Promise<T>) => {
      const result = await pgTransaction(runtime.pool, work);
      options.onCommitted?.();
      return result;
    },
    handleBatch: async (events, tx) => {
      const audiences: Audience[] = [];
      for (const event of events) {
        requireUuidTenant(event, `${event.type} ${event.id}`);
        const audience =
          event.type === ReminderDue.type
            ? await reminderAudience(runtime, event, tx)
            : await atRiskAudience(runtime, event, tx);
        if (audience) audiences.push(audience);
      }
      await record(runtime, audiences, tx);
    },
  });
}

async function reminderAudience(
  runtime: NotifierRuntime,
  event: EventEnvelope,
  tx: PgTransaction,
): Promise<Audience | undefined> {
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
    return undefined;
  }
  return { event, ids, render, dueAt: data.dueAt };
}

async function atRiskAudience(
  runtime: NotifierRuntime,
  event: EventEnvelope,
  tx: PgTransaction,
): Promise<Audience | undefined> {
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
    return undefined;
  }
  return {
    event,
    ids,
    render: (name) => renderAtRisk(data, objective.title, name, runtime.config.WEB_URL),
  };
}

/** Writes the deliveries of a chunk's events: the people of each tenant looked up once. */
async function record(runtime: NotifierRuntime, audiences: Audience[], tx: PgTransaction) {
  const byTenant = Map.groupBy(audiences, ({ event }) => event.tenant);
  const now = new Date();
  const events = [];
  for (const [tenant, ofTenant] of byTenant) {
    const people = await knownPeople(tx, tenant, [...new Set(ofTenant.flatMap(({ ids }) => ids))]);
    for (const { event, ids, render } of ofTenant) {
      const stale = isStale(event.time, now, runtime.config.REMINDER_MAX_AGE_MS);
      events.push({ event, planned: planDeliveries(ids, people, render, { stale }) });
    }
  }
  await insertEventDeliveries(tx, events);
  await noteDueAt(
    tx,
    audiences.flatMap(({ event, dueAt }) => (dueAt ? [{ eventId: event.id, dueAt }] : [])),
  );
}
