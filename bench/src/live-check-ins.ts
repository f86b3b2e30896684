/**
 * Check-in events for the scoring bench, and its live load generator: a worker thread with its own event
 * loop and Kafka producer, as the goals service would be, so that building and sending events at the
 * target rate does not run on the event loop of the scoring consumer under test.
 */
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { CheckInRecorded, createEvent, type EventDefinition, uuidv7 } from "@okr/events";
import { DEFAULT_RELAY_BATCH_SIZE, envelopeMessage, type OutgoingMessage } from "@okr/messaging";
import { testBus } from "@okr/testkit";

export interface CheckInLoad {
  tenant: string;
  cycleId: string;
  topic: string;
  /**
   * Cycle start (epoch ms). The i-th check-in is recorded i seconds after it, so each one is its KR's newest
   * and moves its score: every check-in re-scores, publishes and records history, as live check-ins do.
   */
  start: number;
  keyResults: { id: string; objectiveId: string }[];
}

/** A goals event as the goals service's relay would put it on Kafka (CloudEvents envelope and headers). */
export function eventMessage(
  definition: EventDefinition,
  data: unknown,
  tenant: string,
  topic: string,
): OutgoingMessage {
  return envelopeMessage(topic, createEvent(definition, data as never, { tenant }));
}

/** The i-th check-in of the load: KRs in turn, values and confidences cycling. */
export function checkInMessage(load: CheckInLoad, i: number): OutgoingMessage {
  const keyResult = load.keyResults[i % load.keyResults.length]!;
  return eventMessage(
    CheckInRecorded,
    {
      checkInId: uuidv7(),
      keyResultId: keyResult.id,
      objectiveId: keyResult.objectiveId,
      cycleId: load.cycleId,
      value: (i * 7) % 120,
      confidence: ((i % 10) + 1) / 10,
      note: "weekly check-in",
      evidence: {},
      authorId: null,
      source: "system",
      recordedAt: new Date(load.start + i * 1000).toISOString(),
    },
    load.tenant,
    load.topic,
  );
}

interface LiveRun {
  load: CheckInLoad;
  /** Index of the first check-in (continues the backlog's sequence). */
  from: number;
  rate: number;
  seconds: number;
}

export interface LiveResult {
  sent: number;
  /** Check-ins per second actually produced. */
  produced: number;
  /** The generator's own CPU per check-in (µs): it shares the machine with the consumer under test. */
  cpuPerEvent: number;
}

/** Produces `rate` check-ins/s for `seconds` from a worker thread, in ten sends a second. */
export function produceLive(run: LiveRun): Promise<LiveResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL(import.meta.url), { workerData: run });
    worker.once("message", (result: LiveResult) => {
      resolve(result);
      void worker.terminate();
    });
    worker.once("error", reject);
  });
}

if (!isMainThread && (workerData as LiveRun | undefined)?.load) {
  const { load, from, rate, seconds } = workerData as LiveRun;
  const producer = testBus().producer();
  await producer.connect();
  const cpuBefore = process.threadCpuUsage();
  const started = performance.now();
  const perTick = Math.max(1, Math.round(rate / 10));
  let sent = 0;
  for (let tick = 0; tick < seconds * 10; tick++) {
    const wait = started + tick * 100 - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    // In sends of at most the outbox relay's batch, as the goals service's relay sends: one send of a
    // whole tick would outgrow Kafka's request size at high rates.
    for (let done = 0; done < perTick; done += DEFAULT_RELAY_BATCH_SIZE) {
      const size = Math.min(DEFAULT_RELAY_BATCH_SIZE, perTick - done);
      await producer.send(Array.from({ length: size }, (_, k) => checkInMessage(load, from + sent + k)));
      sent += size;
    }
  }
  const produced = sent / ((performance.now() - started) / 1000);
  const cpu = process.threadCpuUsage(cpuBefore);
  await producer.disconnect();
  parentPort?.postMessage({
    sent,
    produced,
    cpuPerEvent: (cpu.user + cpu.system) / sent,
  } satisfies LiveResult);
}
