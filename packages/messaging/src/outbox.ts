import type { SqlRunner } from "@okr/database";
import { createEvent, type EventContext, type EventDefinition, type EventEnvelope } from "@okr/events";
import { currentTraceparent } from "@okr/telemetry";
import type { Static, TObject } from "typebox";

export const OUTBOX_TABLE = "outbox_events";

/**
 * The one way to publish an event: write it to the outbox in the same transaction as the state change
 * it describes. The relay sends it to Kafka after commit, so a rolled-back change publishes nothing and a
 * committed one is never lost, even with Kafka down. The active span's traceparent travels with it.
 */
export async function publishEvent<S extends TObject>(
  tx: SqlRunner,
  definition: EventDefinition<string, S>,
  data: Static<S>,
  context: EventContext,
): Promise<EventEnvelope<Static<S>>> {
  const [envelope] = await publishEvents(tx, [{ definition, data, context }]);
  return envelope as EventEnvelope<Static<S>>;
}

export interface PendingEvent<S extends TObject = TObject> {
  definition: EventDefinition<string, S>;
  data: Static<S>;
  context: EventContext;
}

/**
 * Many events in one INSERT (bulk endpoints, score batches); same guarantees as publishEvent. The rows
 * travel as one JSON document: JSON.stringify is native, while a jsonb[] parameter makes pg escape each
 * envelope in JavaScript and Postgres parse an array literal before it parses the JSON.
 */
export async function publishEvents(tx: SqlRunner, events: PendingEvent[]): Promise<EventEnvelope[]> {
  if (events.length === 0) return [];
  const traceparent = currentTraceparent();
  const envelopes = events.map(({ definition, data, context }) =>
    createEvent(definition, data, { traceparent, ...context }),
  );
  await tx.query(
    `insert into ${OUTBOX_TABLE} (id, topic, partition_key, event_type, tenant, envelope)
     select (e->>'id')::uuid, topic, e->>'partitionkey', e->>'type', e->>'tenant', e
       from jsonb_to_recordset($1::jsonb) as r(topic text, e jsonb)`,
    [JSON.stringify(envelopes.map((e, i) => ({ topic: events[i]!.definition.topic, e })))],
  );
  return envelopes;
}
