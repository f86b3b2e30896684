/**
 * Scoring service throughput and latency on the real broker and database, next to the raw kafkajs
 * consume rate of the same messages in the same run; and a full in-memory re-score of a large
 * organization through scoring-rules. Targets: >= 10,000 check-in events/s with scores persisted,
 * event-to-score p99 < 500 ms, full re-score of 100,000 objectives / 300,000 KRs < 2 s.
 * Run: `npm run bench -- scoring` (BENCH_EVENTS, BENCH_OBJECTIVES, BENCH_RATE, BENCH_SECONDS override the sizes).
 * Each check-in is its KR's newest (see live-check-ins.ts), as live check-ins are: it moves the KR's score,
 * so every one is re-scored, publishes okr.key-result.scored.v1 and, through its objective,
 * okr.objective.scored.v1 and a score-history row. An event counts as scored (throughput and latency)
 * once the roll-up of the objectives above it committed, not just its KR's score.
 */
import { randomUUID } from "node:crypto";
import {
  CheckInRecorded,
  CyclePhaseChanged,
  type EventDefinition,
  type EventEnvelope,
  KeyResultUpserted,
  ObjectiveUpserted,
} from "@okr/events";
import { keyResultUpsertedData } from "@okr/events/testing";
import type { OutgoingMessage } from "@okr/messaging";
import {
  type AlignmentLink,
  DEFAULT_SCORING_POLICY,
  type KeyResultInput,
  type ObjectiveInput,
  scoreOrganization,
} from "@okr/scoring-rules";
import { createScoringConsumer } from "@okr/scoring-service/consumer";
import { migrationsDir } from "@okr/scoring-service/database";
import { createTestDatabase, testBus, testEndpoints, uniqueName } from "@okr/testkit";
import { Kafka, logLevel } from "kafkajs";
import { type CheckInLoad, checkInMessage, eventMessage, produceLive } from "./live-check-ins.ts";
import { benchSizes, machineSpeed, median, percentile, printTable } from "./report.ts";

const { EVENTS, RATE, SECONDS, OBJECTIVES } = benchSizes({
  EVENTS: 100_000,
  RATE: 10_000,
  SECONDS: 6,
  OBJECTIVES: 1_000,
});
const KRS_PER_OBJECTIVE = 4;

const tenant = randomUUID();
const cycleId = randomUUID();
const objectivesTopic = uniqueName("okr.bench.scoring.objectives");
const keyResultsTopic = uniqueName("okr.bench.scoring.key-results");
const cyclesTopic = uniqueName("okr.bench.scoring.cycles");
const topicOf = new Map<string, string>([
  [ObjectiveUpserted.type, objectivesTopic],
  [KeyResultUpserted.type, keyResultsTopic],
  [CheckInRecorded.type, keyResultsTopic],
  [CyclePhaseChanged.type, cyclesTopic],
]);

const message = (definition: EventDefinition, data: unknown): OutgoingMessage =>
  eventMessage(definition, data, tenant, topicOf.get(definition.type)!);

// One organization: OBJECTIVES objectives (a cascade: each aligns to an earlier one) with 4 metric KRs each.
const start = Date.now() - 30 * 86_400_000;
const objectiveIds = Array.from({ length: OBJECTIVES }, () => randomUUID());
const keyResults = objectiveIds.flatMap((objectiveId) =>
  Array.from({ length: KRS_PER_OBJECTIVE }, () => ({ id: randomUUID(), objectiveId })),
);
const structure: OutgoingMessage[] = [
  message(CyclePhaseChanged, {
    cycleId,
    name: "Bench Q",
    phase: "CHECK_INS",
    previousPhase: "CASCADE",
    startsAt: new Date(start).toISOString(),
    endsAt: new Date(start + 90 * 86_400_000).toISOString(),
    changedAt: new Date().toISOString(),
  }),
  ...objectiveIds.map((objectiveId, o) =>
    message(ObjectiveUpserted, {
      objectiveId,
      cycleId,
      title: `Objective ${o}`,
      kind: o % 3 === 0 ? "committed" : "aspirational",
      state: "approved",
      owner: { kind: "team", id: objectiveIds[o % 50]! },
      weight: 1 + (o % 3),
      alignedToObjectiveId: o === 0 ? null : objectiveIds[Math.floor(o / 4)]!,
      contributesToKeyResultId: null,
      version: 1,
    }),
  ),
  ...keyResults.map(({ id, objectiveId }, k) =>
    message(
      KeyResultUpserted,
      keyResultUpsertedData({ keyResultId: id, objectiveId, cycleId, title: `KR ${k}`, weight: 1 + (k % 2) }),
    ),
  ),
];
const load: CheckInLoad = { tenant, cycleId, topic: keyResultsTopic, start, keyResults };

const bus = testBus();
await bus.ensureTopics([objectivesTopic, keyResultsTopic, cyclesTopic]);
const producer = bus.producer();
await producer.connect();
const produce = async (messages: OutgoingMessage[]) => {
  for (let i = 0; i < messages.length; i += 2000) await producer.send(messages.slice(i, i + 2000));
};

// --- Backlog: the structure, then EVENTS check-ins, all on the broker before anyone consumes. ---
await produce(structure);
await produce(Array.from({ length: EVENTS }, (_, i) => checkInMessage(load, i)));
const backlog = structure.length + EVENTS;

// Raw kafkajs: the same messages, a fresh group, nothing done per message.
async function rawConsumeRate(): Promise<number> {
  const kafka = new Kafka({
    clientId: uniqueName("bench-raw"),
    brokers: testEndpoints().KAFKA_BROKERS.split(","),
    logLevel: logLevel.NOTHING,
  });
  const consumer = kafka.consumer({ groupId: uniqueName("bench-raw") });
  await consumer.connect();
  await consumer.subscribe({ topics: [objectivesTopic, keyResultsTopic, cyclesTopic], fromBeginning: true });
  let received = 0;
  let first = 0;
  let last = 0;
  const done = new Promise<void>((resolve) => {
    void consumer.run({
      eachBatch: async ({ batch }) => {
        if (first === 0) first = performance.now();
        received += batch.messages.length;
        last = performance.now();
        if (received >= backlog) resolve();
      },
    });
  });
  await done;
  await consumer.disconnect();
  return received / ((last - first) / 1000);
}

const db = await createTestDatabase({ migrationsDir, poolMax: 8 });
const latencies: number[] = [];
let applied = 0;
let firstCommit = 0;
let lastCommit = 0;
let measureLatency = false;
const scoring = createScoringConsumer(db.pool, bus, {
  groupId: uniqueName("bench-scoring"),
  topics: [objectivesTopic, keyResultsTopic, cyclesTopic],
  onCommitted: (events: EventEnvelope[]) => {
    const now = Date.now();
    if (firstCommit === 0) firstCommit = performance.now();
    lastCommit = performance.now();
    applied += events.length;
    if (measureLatency) {
      for (const event of events)
        if (event.type === CheckInRecorded.type) latencies.push(now - Date.parse(event.time));
    }
  },
  log: () => {},
});

const rawRate = await rawConsumeRate();

// The consumer's event loop is the scarce resource (Postgres and the broker work on the other core), so its
// CPU per event is reported too: it varies less than wall-clock rates on a shared machine.
const cpuBefore = process.threadCpuUsage();
await scoring.start();
while (applied < backlog) await new Promise((resolve) => setTimeout(resolve, 20));
const cpuUsed = process.threadCpuUsage(cpuBefore);
const cpuPerEvent = (cpuUsed.user + cpuUsed.system) / backlog;
const scoringRate = applied / ((lastCommit - firstCommit) / 1000);
const scored = await db.pool.query(
  "select count(*)::int as krs, sum(check_in_count)::int as check_ins from key_results where score is not null",
);
if (scored.rows[0].check_ins !== EVENTS) {
  throw new Error(`expected ${EVENTS} check-ins scored, found ${scored.rows[0].check_ins}`);
}

// --- Live: check-ins produced at a fixed rate (from a worker thread) while the consumer runs; latency from
// event time to commit. ---
let nextCheckIn = EVENTS;
async function live(rate: number, seconds: number) {
  latencies.length = 0;
  measureLatency = true;
  const loopBefore = performance.eventLoopUtilization();
  const { sent, produced, cpuPerEvent } = await produceLive({ load, from: nextCheckIn, rate, seconds });
  nextCheckIn += sent;
  while (latencies.length < sent) await new Promise((resolve) => setTimeout(resolve, 20));
  const loopBusy = performance.eventLoopUtilization(loopBefore).utilization;
  measureLatency = false;
  return { latencies: [...latencies], produced, loopBusy, generatorCpu: cpuPerEvent };
}
const calibration = machineSpeed();
const atTarget = await live(RATE, SECONDS);
const comfortableRate = Math.max(100, Math.round(scoringRate / 2 / 100) * 100);
const atHalf = await live(comfortableRate, SECONDS);
await scoring.stop();
await producer.disconnect();
await db.drop();

// --- Full re-score in memory: 100,000 objectives, 300,000 KRs, 4 check-ins each. ---
function largeOrganization() {
  const objectives: ObjectiveInput[] = [];
  const krs: KeyResultInput[] = [];
  const links: AlignmentLink[] = [];
  for (let o = 0; o < 100_000; o++) {
    objectives.push({
      id: `o${o}`,
      teamId: `t${o % 2000}`,
      kind: o % 3 ? "aspirational" : "committed",
      weight: 1 + (o % 3),
    });
    if (o > 0)
      links.push({
        type: "aligns-to",
        objectiveId: `o${o}`,
        parentObjectiveId: `o${Math.floor((o - 1) / 5)}`,
      });
    for (let k = 0; k < 3; k++) {
      const n = o * 3 + k;
      krs.push({
        id: `k${n}`,
        objectiveId: `o${o}`,
        type: "increase-to",
        baseline: 0,
        target: 100,
        weight: 1 + (k % 2),
        checkIns: Array.from({ length: 4 }, (_, c) => ({
          id: `c${n}-${c}`,
          recordedAt: c * 86_400_000,
          value: (n * 13 + c * 7) % 120,
          confidence: ((n + c) % 10) / 10,
        })),
      });
    }
  }
  return { objectives, keyResults: krs, links };
}
const org = largeOrganization();
const rescoreTimes: number[] = [];
for (const rollup of [
  { mode: "own-krs-only" as const },
  { mode: "blend-children" as const, childShare: 0.3 },
]) {
  for (let round = 0; round < 3; round++) {
    const started = performance.now();
    const result = scoreOrganization({
      policy: { ...DEFAULT_SCORING_POLICY, rollup },
      cycle: { start: 0, end: 90 * 86_400_000 },
      asOf: 30 * 86_400_000,
      ...org,
    });
    rescoreTimes.push(performance.now() - started);
    if (result.objectives.size !== 100_000) throw new Error("re-score lost objectives");
  }
}

printTable(
  `scoring service (${EVENTS} backlog check-ins + ${structure.length} structure events; ${OBJECTIVES} objectives, ${keyResults.length} KRs; one tenant)`,
  [
    [
      "machine speed before the live runs",
      `${calibration.toFixed(0)} ms`,
      "fixed CPU loop (report.ts machineSpeed), lower is faster; the README says how the figures vary with it",
    ],
    ["raw kafkajs consume (no work)", `${rawRate.toFixed(0)} events/s`, "same messages, same run"],
    [
      "scoring consumer, scores persisted (roll-up included)",
      `${scoringRate.toFixed(0)} events/s`,
      `${((scoringRate / rawRate) * 100).toFixed(0)} % of raw; target >= 10000`,
    ],
    ["consumer event loop CPU (backlog)", `${cpuPerEvent.toFixed(1)} µs/event`, "main thread, incl. GC"],
    ...[
      [`${RATE}/s (target rate)`, atTarget] as const,
      [`${comfortableRate}/s (half the measured capacity)`, atHalf] as const,
    ].map(([label, run]): [string, string, string] => [
      `event -> score committed, live at ${label}`,
      `p50 ${percentile(run.latencies, 0.5)} ms`,
      `p99 ${percentile(run.latencies, 0.99)} ms (target < 500); produced at ${run.produced.toFixed(0)}/s for ${SECONDS} s; consumer event loop ${(run.loopBusy * 100).toFixed(0)} % busy; generator ${run.generatorCpu.toFixed(0)} µs CPU/event`,
    ]),
    [
      "full re-score 100k objectives / 300k KRs / 1.2M check-ins",
      `${median(rescoreTimes.slice(0, 3)).toFixed(0)} ms own-krs-only`,
      `${median(rescoreTimes.slice(3)).toFixed(0)} ms blend-children (median of 3; target < 2000 ms)`,
    ],
  ],
);
process.exit(0);
