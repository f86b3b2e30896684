/**
 * Notifier delivery on the real broker and database, mailing a real SMTP server (smtp-sink.ts, its own
 * thread): reminders published to Kafka, each for one person the notifier knows, until the mail server
 * accepted the reminder's email. Targets: >= 500 deliveries/s sustained; at a live 200 reminders/s, p99
 * from the event's publication to the mail server's acceptance < 2 s.
 * Run: `npm run bench -- notifier` (BENCH_PEOPLE, BENCH_REMINDERS, BENCH_RATE, BENCH_SECONDS override the
 * sizes; any notifier variable, e.g. SENDER_BATCH_SIZE or SENDER_POLL_MS, is passed on to the service).
 * The notifier runs as its process builds it (notifierService.build: every consumer and the sender) with
 * its default configuration, on its own scratch topics: the bench's people and reminders stay off the
 * platform topics that every other notifier reads from the beginning.
 */
import { randomUUID } from "node:crypto";
import { loadConfig } from "@okr/config";
import {
  createEvent,
  type EventDefinition,
  type EventEnvelope,
  PersonChanged,
  ReminderDue,
} from "@okr/events";
import { personChangedData } from "@okr/events/testing";
import { envelopeMessage, type MessageBus, type OutgoingMessage } from "@okr/messaging";
import { type NotifierRuntime, notifierService } from "@okr/notifier-service/service";
import { createTestDatabase, testBus, testEndpoints, uniqueName } from "@okr/testkit";
import { Kafka, logLevel } from "kafkajs";
import { benchSizes, machineSpeed, median, percentile, printTable } from "./report.ts";
import { type Accepted, startSmtpSink } from "./smtp-sink.ts";

const { PEOPLE, REMINDERS, RATE, SECONDS } = benchSizes({
  PEOPLE: 1_000,
  REMINDERS: 10_000,
  RATE: 200,
  SECONDS: 30,
});

/** Every platform topic the notifier reads, renamed to a scratch topic of this run. */
const scratch = new Map(
  ["okr.goals.people", "okr.goals.teams", "okr.goals.objectives", "okr.cycle.notifications"].map((topic) => [
    topic,
    uniqueName(`okr.bench.notifier.${topic.split(".").at(-1)}`),
  ]),
);
const rename = (topic: string) => scratch.get(topic) ?? topic;

/** The broker under other topic names: the notifier's consumers subscribe to the scratch topics. */
function renamingBus(bus: MessageBus): MessageBus {
  return {
    producer: (options) => {
      const producer = bus.producer(options);
      return {
        ...producer,
        send: (messages) => producer.send(messages.map((m) => ({ ...m, topic: rename(m.topic) }))),
      };
    },
    consumer: (groupId, options) => {
      const consumer = bus.consumer(groupId, options);
      return { ...consumer, subscribe: (topics, o) => consumer.subscribe(topics.map(rename), o) };
    },
    ensureTopics: (topics, options) => bus.ensureTopics(topics.map(rename), options),
  };
}

const tenant = randomUUID();
const people = Array.from({ length: PEOPLE }, (_, i) =>
  personChangedData({ name: `Person ${i}`, email: `person-${i}@bench.example` }),
);
const cycleIds = Array.from({ length: 16 }, () => randomUUID());
/** When each reminder was published (epoch ms, its envelope's time), by event id. */
const publishedAt = new Map<string, number>();

function message(
  definition: EventDefinition,
  data: unknown,
): { envelope: EventEnvelope; out: OutgoingMessage } {
  const envelope = createEvent(definition, data as never, { tenant });
  return { envelope, out: envelopeMessage(rename(definition.topic), envelope) };
}

/** The i-th reminder: a person's check-in, people in turn, spread over a few cycles (partition keys). */
function reminder(i: number): OutgoingMessage {
  const person = people[i % PEOPLE]!;
  const { envelope, out } = message(ReminderDue, {
    cycleId: cycleIds[i % cycleIds.length]!,
    phase: "CHECK_INS",
    action: "check-in",
    recipient: { kind: "person", id: person.personId },
    dueAt: new Date(Date.now() + 86_400_000).toISOString(),
    escalation: false,
    message: "Time for this week's check-in.",
  });
  publishedAt.set(envelope.id, Date.parse(envelope.time));
  return out;
}

const sink = await startSmtpSink();
const bus = renamingBus(testBus());
await bus.ensureTopics([...scratch.keys()], { partitions: 4 });
const producer = bus.producer();
await producer.connect();
const produce = async (messages: OutgoingMessage[]) => {
  for (let i = 0; i < messages.length; i += 500) await producer.send(messages.slice(i, i + 500));
};

// The notifier as its process builds it, on a fresh database, with its default configuration.
const db = await createTestDatabase({ migrationsDir: notifierService.migrationsDir, poolMax: 10 });
const endpoints = testEndpoints();
const configSchema = notifierService.configSchema!;
const config = loadConfig(configSchema, {
  NODE_ENV: "test",
  LOG_LEVEL: "warn",
  DATABASE_URL: db.url,
  KAFKA_BROKERS: endpoints.KAFKA_BROKERS,
  TEMPORAL_ADDRESS: endpoints.TEMPORAL_ADDRESS,
  AUTH_JWT_SECRET: "bench-secret-0123456789abcdef",
  SMTP_URL: sink.url,
  ...Object.fromEntries(
    Object.keys(configSchema.properties)
      .filter((name) => /^(SENDER|DELIVERY)_/.test(name) && process.env[name])
      .map((name) => [name, process.env[name] as string]),
  ),
}) as NotifierRuntime["config"];
const runtime: NotifierRuntime = {
  name: "notifier",
  config,
  pool: db.pool,
  db: undefined,
  bus,
  consumerGroup: uniqueName("bench-notifier"),
  log: (level, text) => {
    if (level === "error") console.error(text);
  },
};
const { app, background } = await notifierService.build(runtime);
for (const work of background) await work.start();

const count = async (sql: string) => (await db.pool.query<{ n: number }>(sql, [tenant])).rows[0]?.n ?? 0;
const waitUntil = async (what: string, done: () => Promise<boolean> | boolean, timeoutMs = 300_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

// --- The people, known to the notifier before any reminder. ---
await produce(people.map((person) => message(PersonChanged, person).out));
await waitUntil(
  "the people replica",
  async () => (await count("select count(*)::int as n from people where tenant_id = $1")) === PEOPLE,
);

/** Publication-to-acceptance latencies (ms) of the accepted emails from `from` on, with their span. */
async function outcome(from: number, expected: number) {
  await waitUntil(`${expected} emails`, () => sink.accepted.length >= from + expected);
  const accepted: Accepted[] = sink.accepted.slice(from, from + expected);
  const { rows } = await db.pool.query<{ id: string; event_id: string; created_at: Date }>(
    "select id, event_id, created_at from deliveries where id = any($1::uuid[])",
    [accepted.map((a) => a.deliveryId)],
  );
  const byId = new Map(rows.map((row) => [row.id, row]));
  // Where the time goes: publication -> delivery row written (consumer), row -> acceptance (sender).
  const latencies: number[] = [];
  const toRecord: number[] = [];
  const toSend: number[] = [];
  for (const a of accepted) {
    const row = byId.get(a.deliveryId);
    const published = publishedAt.get(row?.event_id ?? "");
    if (!row || published === undefined) throw new Error("an accepted email matches no reminder of this run");
    latencies.push(a.at - published);
    toRecord.push(row.created_at.getTime() - published);
    toSend.push(a.at - row.created_at.getTime());
  }
  const times = accepted.map((a) => a.at);
  const lastRecorded = Math.max(...rows.map((row) => row.created_at.getTime()));
  return { latencies, toRecord, toSend, lastRecorded, first: Math.min(...times), last: Math.max(...times) };
}

// --- Backlog: REMINDERS reminders on the broker at once; deliveries/s until the last is accepted. ---
const calibration = machineSpeed();
const cpuBefore = process.threadCpuUsage();
const publishStarted = Date.now();
await produce(Array.from({ length: REMINDERS }, (_, i) => reminder(i)));
const publishEnded = Date.now();
const backlog = await outcome(0, REMINDERS);
const cpu = process.threadCpuUsage(cpuBefore);
const endToEndRate = REMINDERS / ((backlog.last - publishStarted) / 1000);
const senderRate = REMINDERS / ((backlog.last - backlog.first) / 1000);
const recordRate = REMINDERS / ((backlog.lastRecorded - publishStarted) / 1000);
const cpuPerDelivery = (cpu.user + cpu.system) / REMINDERS;

// --- Live: RATE reminders/s for SECONDS, in ten sends a second, as the cycle worker publishes them. ---
const liveFrom = sink.accepted.length;
const liveStarted = performance.now();
let sent = 0;
for (let tick = 0; tick < SECONDS * 10; tick++) {
  const wait = liveStarted + tick * 100 - performance.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  const due = Math.round(((tick + 1) * RATE) / 10) - sent;
  await producer.send(Array.from({ length: due }, (_, k) => reminder(REMINDERS + sent + k)));
  sent += due;
}
const produced = sent / ((performance.now() - liveStarted) / 1000);
const live = await outcome(liveFrom, sent);

for (const work of background) await work.stop();
await app.close();
await producer.disconnect();
await sink.close();
await db.drop();
// The scratch topics go now, not with the next `npm run bench`'s clean-up: a direct run leaves nothing.
const admin = new Kafka({ brokers: endpoints.KAFKA_BROKERS.split(","), logLevel: logLevel.NOTHING }).admin();
await admin.connect();
const topics = [...scratch.values()];
await admin.deleteTopics({ topics: [...topics, ...topics.map((t) => `${t}.dlq`)] }).catch(() => {});
await admin.disconnect();

const ms = (value: number) => `${value.toFixed(0)} ms`;
printTable("Notifier: reminder published to Kafka -> email accepted by a real SMTP server", [
  ["machine", `${ms(calibration)} calibration loop`, "(see report.ts: lower is a faster hour)"],
  [
    "backlog",
    `${REMINDERS} reminders to ${PEOPLE} people, published in ${ms(publishEnded - publishStarted)}`,
    "",
  ],
  [
    "sustained",
    `${endToEndRate.toFixed(0)} deliveries/s`,
    "first publication -> last acceptance (target >= 500/s)",
  ],
  ["  sending", `${senderRate.toFixed(0)} deliveries/s`, "first acceptance -> last acceptance"],
  [
    "  recording",
    `${recordRate.toFixed(0)} reminders/s`,
    "first publication -> last delivery row written (consumer)",
  ],
  [
    "  latency",
    `median ${ms(median(backlog.latencies))}, p99 ${ms(percentile(backlog.latencies, 0.99))}`,
    "(a backlog: waits in line)",
  ],
  ["  CPU", `${cpuPerDelivery.toFixed(0)} µs/delivery`, "notifier thread (consumers, sender, SMTP client)"],
  ["live", `${produced.toFixed(0)} reminders/s for ${SECONDS} s (${sent})`, `target rate ${RATE}/s`],
  [
    "  latency",
    `median ${ms(median(live.latencies))}, p99 ${ms(percentile(live.latencies, 0.99))}, max ${ms(Math.max(...live.latencies))}`,
    "publication -> acceptance (target p99 < 2 s)",
  ],
  [
    "    recorded",
    `median ${ms(median(live.toRecord))}, p99 ${ms(percentile(live.toRecord, 0.99))}`,
    "publication -> delivery row written (consumer)",
  ],
  [
    "    sent",
    `median ${ms(median(live.toSend))}, p99 ${ms(percentile(live.toSend, 0.99))}`,
    "delivery row -> acceptance (sender)",
  ],
]);
