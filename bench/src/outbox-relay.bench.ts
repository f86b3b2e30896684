/**
 * Outbox relay throughput (committed outbox row -> Kafka ack, events/s) next to raw kafkajs produce
 * throughput of the same messages with the same producer settings, in the same run on the same broker.
 * Target: relay >= 50% of raw. Run: `npm run bench -- outbox-relay`.
 */
import { randomUUID } from "node:crypto";
import { defineEvent } from "@okr/events";
import {
  eventHeaders,
  MESSAGING_TABLES_SQL,
  OutboxRelay,
  type OutgoingMessage,
  pgTransaction,
  publishEvents,
} from "@okr/messaging";
import { createTestDatabase, testBus, uniqueName } from "@okr/testkit";
import { Type } from "typebox";
import { benchSizes, median, printTable } from "./report.ts";

const { EVENTS } = benchSizes({ EVENTS: 20_000 });
const BATCH = 500;
const ROUNDS = 3;

const CheckInLike = defineEvent({
  type: "okr.bench-check-in.recorded.v1",
  topic: uniqueName("okr.bench.relay"),
  producer: "bench",
  summary: "benchmark event shaped like a check-in",
  schema: Type.Object({
    keyResultId: Type.String(),
    value: Type.Number(),
    confidence: Type.Number(),
    note: Type.String(),
  }),
  partitionKey: (data) => data.keyResultId,
});

const tenant = randomUUID();
const keyResults = Array.from({ length: 200 }, () => randomUUID());
const pending = (i: number) => ({
  definition: CheckInLike,
  data: {
    keyResultId: keyResults[i % keyResults.length] as string,
    value: i,
    confidence: 0.7,
    note: "weekly check-in",
  },
  context: { tenant },
});

const db = await createTestDatabase({ sql: MESSAGING_TABLES_SQL, poolMax: 4 });
const bus = testBus();
await bus.ensureTopics([CheckInLike.topic, `${CheckInLike.topic}.raw`]);

async function fillOutbox(): Promise<void> {
  for (let start = 0; start < EVENTS; start += 1000) {
    await pgTransaction(db.pool, (tx) =>
      publishEvents(
        tx,
        Array.from({ length: Math.min(1000, EVENTS - start) }, (_, i) => pending(start + i)),
      ),
    );
  }
}

async function rawProduce(): Promise<number> {
  const { rows } = await db.pool.query<{
    envelope: string;
    partition_key: string;
    id: string;
    event_type: string;
    tenant: string;
  }>(
    "select envelope::text as envelope, partition_key, id, event_type, tenant from outbox_events order by seq",
  );
  const messages: OutgoingMessage[] = rows.map((row) => ({
    topic: `${CheckInLike.topic}.raw`,
    key: row.partition_key,
    value: row.envelope,
    headers: eventHeaders(
      { id: row.id, type: row.event_type, source: "/okr/bench", tenant: row.tenant },
      undefined,
    ),
  }));
  const producer = bus.producer();
  await producer.connect();
  const started = performance.now();
  for (let i = 0; i < messages.length; i += BATCH) await producer.send(messages.slice(i, i + BATCH));
  const seconds = (performance.now() - started) / 1000;
  await producer.disconnect();
  return messages.length / seconds;
}

async function relayDrain(): Promise<number> {
  const relay = new OutboxRelay({ pool: db.pool, createProducer: () => bus.producer(), batchSize: BATCH });
  const started = performance.now();
  const sent = await relay.drain();
  const seconds = (performance.now() - started) / 1000;
  await relay.stop();
  if (sent !== EVENTS) throw new Error(`relay sent ${sent} of ${EVENTS}`);
  return sent / seconds;
}

const raw: number[] = [];
const relayed: number[] = [];
const insert: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  const fillStarted = performance.now();
  await fillOutbox();
  insert.push(EVENTS / ((performance.now() - fillStarted) / 1000));
  raw.push(await rawProduce());
  relayed.push(await relayDrain());
}
await db.drop();

const rawRate = median(raw);
const relayRate = median(relayed);
printTable(
  `outbox relay vs raw kafkajs produce (${EVENTS} events x ${ROUNDS} rounds, batches of ${BATCH}, acks=all, idempotent)`,
  [
    ["raw kafkajs produce", `${rawRate.toFixed(0)} events/s`, raw.map((r) => r.toFixed(0)).join(" / ")],
    [
      "outbox relay (commit -> ack)",
      `${relayRate.toFixed(0)} events/s`,
      relayed.map((r) => r.toFixed(0)).join(" / "),
    ],
    ["relay / raw", `${((relayRate / rawRate) * 100).toFixed(0)} %`, "target >= 50 %"],
    [
      "outbox insert (publishEvents, 1000/tx)",
      `${median(insert).toFixed(0)} events/s`,
      insert.map((r) => r.toFixed(0)).join(" / "),
    ],
  ],
);
process.exit(0);
