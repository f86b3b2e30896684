import { ALL_EVENTS, type EventEnvelope } from "@okr/events";
import { EventConsumer } from "@okr/messaging";
import { runtimeConsumer } from "@okr/service-kit";
import { recordWebhookDeliveries } from "../repositories/webhooks.ts";
import type { NotifierRuntime } from "../service.ts";

const TOPIC_OF = new Map(ALL_EVENTS.map((definition) => [definition.type, definition.topic]));

/** Kafka orders a topic's events per partition key; a webhook endpoint gets each key's events in that order. */
const orderingKey = (event: EventEnvelope) => `${TOPIC_OF.get(event.type) ?? ""}/${event.partitionkey}`;

/**
 * Turns catalog events into webhook deliveries: every catalog topic in one group, each batch filtered
 * by one query against the tenants' endpoints (type and creation time), so the cost of an event nobody
 * subscribed to is its parse and a share of that query. Subscribing to only the topics some endpoint
 * wants would need the group to resubscribe whenever an endpoint changes, and an endpoint's first
 * events would be lost in the meantime. No processed-events record: a delivery is unique per (event,
 * endpoint), so a redelivered batch writes nothing twice.
 */
export function webhookConsumer(runtime: NotifierRuntime, groupId = `${runtime.consumerGroup}.webhooks`) {
  return new EventConsumer({
    ...runtimeConsumer(runtime, groupId, ALL_EVENTS),
    deduplicatesItself: () => true,
    handleBatch: (events, tx) => recordWebhookDeliveries(tx, events, orderingKey),
  });
}
