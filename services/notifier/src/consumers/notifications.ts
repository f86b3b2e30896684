import { type EventData, type EventEnvelope, ObjectiveAtRisk, ReminderDue } from "@okr/events";
import { EventConsumer, type PgTransaction, pgTransaction } from "@okr/messaging";
import { runtimeConsumer } from "@okr/service-kit";
import { insertEventDeliveries } from "../repositories/deliveries.ts";
import { noteDueAt } from "../repositories/gating.ts";
import { knownObjective } from "../repositories/objectives.ts";
import { knownPeople, knownTeam } from "../repositories/people.ts";
import { planDeliveries } from "../rules/plan.ts";
import { isStale, type KnownTeam, ownerRecipientIds, recipientIds } from "../rules/recipients.ts";
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

/** Who of an event's tenant one event type notifies, and how; undefined when nobody (logged). */
type AudienceOf = (
  runtime: NotifierRuntime,
  event: EventEnvelope,
  tx: PgTransaction,
) => Promise<Audience | undefined>;

const reminderAudience: AudienceOf = async (runtime, event, tx) => {
  const data = event.data as EventData<typeof ReminderDue>;
  const render = (name: string) => renderReminder(data, name, runtime.config.WEB_URL);
  const { recipient } = data;
  const team =
    recipient.kind === "team" ? await addressedTeam(runtime, event, tx, recipient.id, render) : undefined;
  const ids = recipientIds(data, team);
  if (ids.length > 0) return { event, ids, render, dueAt: data.dueAt };
  runtime.log("warn", `reminder ${event.id}: team ${recipient.id} has no known people; nobody to remind`);
  return undefined;
};

const atRiskAudience: AudienceOf = async (runtime, event, tx) => {
  const data = event.data as EventData<typeof ObjectiveAtRisk>;
  const objective = await knownObjective(tx, event.tenant, data.objectiveId);
  if (objective) {
    const render = (name: string) => renderAtRisk(data, objective.title, name, runtime.config.WEB_URL);
    const { owner } = objective;
    const team =
      owner.kind === "team" ? await addressedTeam(runtime, event, tx, owner.id, render) : undefined;
    const ids = ownerRecipientIds(owner, team);
    if (ids.length > 0) return { event, ids, render };
  }
  runtime.log("warn", `at-risk alert ${event.id}: objective ${data.objectiveId} has no known owner to alert`);
  return undefined;
};

/**
 * The team an event is addressed to (or whose objective it is about): the event is posted to its chat
 * channels, and its known members and leaders are what the people to notify are chosen from.
 */
async function addressedTeam(
  runtime: NotifierRuntime,
  event: EventEnvelope,
  tx: PgTransaction,
  teamId: string,
  render: (name: string) => RenderedMessage,
): Promise<KnownTeam | undefined> {
  await recordTeamChannels(runtime, event, tx, teamId, render);
  return knownTeam(tx, event.tenant, teamId);
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
