/**
 * Value-stream service: (1) work-item events ingested per second through the bulk endpoint of the real
 * service on a real port and real Postgres, with the outbox relay and the metric publisher running (metrics
 * kept current), and how long after the last batch the final MetricUpdated is on Kafka; (2) metric recompute
 * time for a stream with 10,000 in-flight items: pure (flow-metrics) and from Postgres.
 * Targets: >= 10,000 events/s; pure recompute < 100 ms. Run: `npm run bench -- value-stream`.
 */
import { randomUUID } from "node:crypto";
import { createEvent, KeyResultUpserted, VALUE_STREAM_TOPICS } from "@okr/events";
import { keyResultUpsertedData } from "@okr/events/testing";
import { type FlowEvent, flowMetrics, type ItemHistory, mapMetrics } from "@okr/flow-metrics";
import { envelopeMessage } from "@okr/messaging";
import { startTestService, testBus, uniqueName, waitFor } from "@okr/testkit";
import { computeStreamMetrics } from "@okr/value-stream-service/metrics";
import { createValueStreamService } from "@okr/value-stream-service/service";
import { benchSizes, median, percentile, printTable } from "./report.ts";

const { ITEMS, BATCH } = benchSizes({ ITEMS: 10_000, BATCH: 5_000 });
const STEPS = 5;
const ROUNDS = 20;
const MIN = 60_000;

// The service as it runs in production (default coalescing: one recompute per stream per second), but with
// no per-caller rate limit: one admin sends every batch.
const service = await startTestService(createValueStreamService(), { RATE_LIMIT_PER_MINUTE: "0" });
const address = await service.app.listen({ host: "127.0.0.1", port: 0 });
const tenant = randomUUID();
const token = await service.token(["admin"], tenant);
const call = async (method: string, path: string, body?: unknown) => {
  const response = await fetch(`${address}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text.slice(0, 500)}`);
  return JSON.parse(text);
};

const family = await call("POST", "/product-families", {
  name: "Bench",
  customer: "bench",
  valueStatement: "fast flow",
});

/** A key result of the bench tenant, announced on Kafka as the goals service does (value-stream binds only those). */
async function announceKeyResult(): Promise<string> {
  const envelope = createEvent(
    KeyResultUpserted,
    keyResultUpsertedData({ title: "Raise flow efficiency", baseline: 0.2, target: 0.6, unit: "ratio" }),
    { tenant },
  );
  const producer = testBus().producer();
  await producer.connect();
  try {
    await producer.send([envelopeMessage(KeyResultUpserted.topic, envelope)]);
  } finally {
    await producer.disconnect();
  }
  return envelope.data.keyResultId;
}

type Move = { itemId: string; stepId: string; kind: string; at: string };
/** A stream with a KR bound to its flow efficiency and `items` registered items; every item walks three
 * steps and enters the fourth: 10 events each, all still in flight at the end. */
async function benchStream(name: string, items: number) {
  const stream = await call("POST", "/streams", {
    familyId: family.id,
    name,
    dailyDemand: 500,
    availableMinutesPerDay: 480,
    steps: Array.from({ length: STEPS }, (_, i) => ({
      name: `Step ${i + 1}`,
      classification: "value-adding",
      processMinutes: 30,
      waitMinutes: 60,
      percentCompleteAccurate: 0.95,
      wipLimit: 1_000_000,
    })),
  });
  const stepIds: string[] = (await call("GET", `/maps/${stream.currentMapId}`)).steps.map(
    (s: { id: string }) => s.id,
  );
  const keyResultId = await announceKeyResult();
  // Value-stream learns the key result from the event a moment later; until then the binding is a 422.
  await waitFor(
    "value-stream to know the bench key result",
    () =>
      call("POST", `/streams/${stream.id}/bindings`, {
        keyResultId,
        metric: "flow-efficiency",
        direction: "increase",
      }),
    60_000,
  );
  const itemIds = Array.from({ length: items }, (_, i) => `${name}-${i}`);
  for (let i = 0; i < itemIds.length; i += 5_000)
    await call("POST", `/streams/${stream.id}/work-items`, {
      items: itemIds.slice(i, i + 5_000).map((id, j) => ({ id, type: (i + j) % 5 ? "feature" : "defect" })),
    });
  const t0 = Date.now() - 20 * 24 * 60 * MIN;
  const events: Move[] = [];
  for (let s = 0; s < 4; s++) {
    const kinds = s < 3 ? ["entered", "started", "completed"] : ["entered"];
    for (const [k, kind] of kinds.entries()) {
      const at = new Date(t0 + (s * 3 + k) * 60 * MIN).toISOString();
      for (const itemId of itemIds) events.push({ itemId, stepId: stepIds[s] as string, kind, at });
    }
  }
  return { stream, stepIds, itemIds, events };
}

/** Posts a stream's events in batches, one request after the other; returns each batch's seconds. */
async function ingestAll(streamId: string, events: Move[]): Promise<number[]> {
  const seconds: number[] = [];
  for (let i = 0; i < events.length; i += BATCH) {
    const batchStarted = performance.now();
    const answer = await call("POST", `/streams/${streamId}/events`, { events: events.slice(i, i + BATCH) });
    if (answer.accepted !== Math.min(BATCH, events.length - i))
      throw new Error(`batch ${i}: ${JSON.stringify(answer)}`);
    seconds.push((performance.now() - batchStarted) / 1000);
  }
  return seconds;
}

// (1) One integration posting to one stream.
const { stream, stepIds, itemIds, events } = await benchStream("BENCH", ITEMS);
const started = performance.now();
const batchSeconds = await ingestAll(stream.id, events);
const ingestSeconds = (performance.now() - started) / 1000;
const lastAck = performance.now();

// Metrics kept current: the final WIP (all items in flight) reaches Kafka, and how many updates it took.
const bus = testBus();
const consumer = bus.consumer(uniqueName("bench-metrics"));
await consumer.connect();
await consumer.subscribe([VALUE_STREAM_TOPICS.metrics], { fromBeginning: true });
let wipUpdates = 0;
let current: () => void = () => {};
const reachedFinal = new Promise<void>((resolve) => {
  current = resolve;
});
await consumer.run({
  eachMessage: async (message) => {
    const envelope = JSON.parse(message.value?.toString() ?? "{}");
    if (envelope.data?.streamId !== stream.id || envelope.data.metric !== "wip") return;
    wipUpdates++;
    if (envelope.data.value === ITEMS) current();
  },
});
await reachedFinal;
const lagMs = performance.now() - lastAck;
await consumer.disconnect();

// (2) Four integrations posting to four streams at once (streams ingest independently; one stream is serialized).
const PARALLEL = 4;
const parallelStreams = await Promise.all(
  Array.from({ length: PARALLEL }, (_, i) => benchStream(`PAR${i}`, Math.ceil(ITEMS / PARALLEL))),
);
const parallelStarted = performance.now();
await Promise.all(parallelStreams.map((p) => ingestAll(p.stream.id, p.events)));
const parallelSeconds = (performance.now() - parallelStarted) / 1000;
const parallelEvents = parallelStreams.reduce((sum, p) => sum + p.events.length, 0);

// Recompute for a stream with ITEMS in-flight items.
const byItem = new Map<string, FlowEvent[]>(itemIds.map((id) => [id, []]));
for (const e of events)
  byItem
    .get(e.itemId)
    ?.push({ itemId: e.itemId, stepId: e.stepId, kind: e.kind as FlowEvent["kind"], at: Date.parse(e.at) });
const histories: ItemHistory[] = itemIds.map((id) => ({ id, type: "feature", events: byItem.get(id) ?? [] }));
const map = (await call("GET", `/maps/${stream.currentMapId}`)).steps.map(
  (s: { id: string; name: string; processMinutes: number; waitMinutes: number }) => ({
    id: s.id,
    name: s.name,
    classification: "value-adding" as const,
    processMinutes: s.processMinutes,
    wait: { minutes: s.waitMinutes },
    percentCompleteAccurate: 0.95,
    wasteTags: [],
  }),
);
// Warm up the JIT first: the figure is the steady-state recompute.
for (let i = 0; i < 3; i++)
  flowMetrics(histories, { window: { from: 0, to: Date.now() }, sequence: stepIds });
const pure: number[] = [];
const fromDb: number[] = [];
let wip = 0;
for (let round = 0; round < ROUNDS; round++) {
  const t = performance.now();
  const flow = flowMetrics(histories, {
    window: { from: Date.now() - 30 * 24 * 60 * MIN, to: Date.now() },
    sequence: stepIds,
  });
  mapMetrics(map, [], { dailyDemand: 500, availableMinutesPerDay: 480 });
  pure.push(performance.now() - t);
  wip = flow.wip.current;
  if (round < 5) {
    const d = performance.now();
    await computeStreamMetrics(service.runtime.db, service.runtime.pool, stream.id);
    fromDb.push(performance.now() - d);
  }
}
if (wip !== ITEMS) throw new Error(`expected ${ITEMS} in flight, got ${wip}`);
await service.stop();

printTable(
  `value-stream: bulk ingestion over HTTP (${events.length} events, ${ITEMS} items, batches of ${BATCH}, real Postgres)`,
  [
    [
      "events ingested",
      `${(events.length / ingestSeconds).toFixed(0)} events/s`,
      "target >= 10,000 events/s",
    ],
    [
      "batch latency p50 / p95",
      `${(percentile(batchSeconds, 0.5) * 1000).toFixed(0)} / ${(percentile(batchSeconds, 0.95) * 1000).toFixed(0)} ms`,
      `${batchSeconds.length} batches`,
    ],
    [
      `${PARALLEL} streams in parallel`,
      `${(parallelEvents / parallelSeconds).toFixed(0)} events/s`,
      `${parallelEvents} events, ${PARALLEL} concurrent clients`,
    ],
    [
      "last ack -> final metric on Kafka",
      `${lagMs.toFixed(0)} ms`,
      `${wipUpdates} WIP updates for ${batchSeconds.length} batches (coalesced)`,
    ],
  ],
);
printTable(`value-stream: metric recompute, ${ITEMS} in-flight items (${events.length} events)`, [
  [
    "pure (flow + map metrics)",
    `${median(pure).toFixed(1)} ms median`,
    `p95 ${percentile(pure, 0.95).toFixed(1)} ms, max ${Math.max(...pure).toFixed(1)} ms; target < 100 ms`,
  ],
  ["from Postgres (load + compute)", `${median(fromDb).toFixed(0)} ms median`, `${fromDb.length} runs`],
]);
process.exit(0);
