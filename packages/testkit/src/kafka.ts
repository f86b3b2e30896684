import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { ensureKafka, type KafkaInstance, kafkaDataDir, stopKafka } from "@okr/infra/native/kafka";
import { createKafkaBus, type IncomingMessage, type MessageBus } from "@okr/messaging";
import { cacheDir, testEndpoints } from "./endpoints.ts";
import { freePortsBelowEphemeralRange } from "./ports.ts";

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(5).toString("hex")}`;
}

export function testBus(brokers: string = testEndpoints().KAFKA_BROKERS): MessageBus {
  return createKafkaBus({ brokers, clientId: uniqueName("okr-test"), log: () => {} });
}

/** Reads a topic from the beginning with a fresh consumer group until `count` messages arrived (or times out). */
export async function collectMessages(
  topic: string,
  options: { count: number; timeoutMs?: number; bus?: MessageBus; settleMs?: number },
): Promise<IncomingMessage[]> {
  const bus = options.bus ?? testBus();
  await bus.ensureTopics([topic]);
  const consumer = bus.consumer(uniqueName("okr-test-reader"));
  const received: IncomingMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe([topic], { fromBeginning: true });
    let done: () => void = () => {};
    const enough = new Promise<void>((resolve) => {
      done = resolve;
    });
    await consumer.run({
      eachMessage: async (message) => {
        received.push(message);
        if (received.length >= options.count) done();
      },
    });
    const timeout = options.timeoutMs ?? 30_000;
    await Promise.race([enough, new Promise((resolve) => setTimeout(resolve, timeout))]);
    // Give a duplicate the chance to show up before the caller asserts on exact counts.
    if (options.settleMs) await new Promise((resolve) => setTimeout(resolve, options.settleMs));
    return received;
  } finally {
    await consumer.disconnect();
  }
}

export interface ControllableBroker {
  brokers: string;
  stop(): Promise<void>;
  start(): Promise<void>;
}

/**
 * A broker of this test's own (a second native KRaft broker on its own ports), so a fault test can stop
 * and restart the real thing without disturbing tests that share the platform broker. It starts from an
 * empty data directory on every run, and keeps its ports across stop/start so clients can reconnect.
 */
export async function startPrivateKafka(name: string): Promise<ControllableBroker> {
  const [port, controllerPort] = (await freePortsBelowEphemeralRange(2, 29_100)) as [number, number];
  const instance: KafkaInstance = { name, host: "127.0.0.1", port, controllerPort };
  const dir = cacheDir();
  await stopKafka(dir, instance); // a broker a killed run left behind
  rmSync(kafkaDataDir(dir, instance), { recursive: true, force: true });
  await ensureKafka(dir, instance);
  return {
    brokers: `${instance.host}:${instance.port}`,
    stop: async () => {
      await stopKafka(dir, instance);
    },
    start: async () => {
      await ensureKafka(dir, instance);
    },
  };
}

/** Rewinds a (stopped) consumer group to the start of a topic: Kafka then redelivers everything to it. */
export async function rewindConsumerGroup(groupId: string, topic: string): Promise<void> {
  const { Kafka, logLevel } = await import("kafkajs");
  const admin = new Kafka({
    clientId: "okr-test-admin",
    brokers: testEndpoints().KAFKA_BROKERS.split(","),
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    await admin.resetOffsets({ groupId, topic, earliest: true });
  } finally {
    await admin.disconnect();
  }
}

/** Waits for the first message on `topic` that satisfies `matches` (other tests may share the topic). */
export async function findMessage(
  topic: string,
  matches: (message: IncomingMessage) => boolean,
  options: { timeoutMs?: number; bus?: MessageBus } = {},
): Promise<IncomingMessage> {
  const bus = options.bus ?? testBus();
  await bus.ensureTopics([topic]);
  const consumer = bus.consumer(uniqueName("okr-test-finder"));
  await consumer.connect();
  try {
    await consumer.subscribe([topic], { fromBeginning: true });
    let found: (message: IncomingMessage) => void = () => {};
    const result = new Promise<IncomingMessage>((resolve) => {
      found = resolve;
    });
    await consumer.run({
      eachMessage: async (message) => {
        if (matches(message)) found(message);
      },
    });
    const timeoutMs = options.timeoutMs ?? 30_000;
    return await Promise.race([
      result,
      new Promise<never>((_, reject) =>
        setTimeout(
          () => reject(new Error(`no matching message on ${topic} within ${timeoutMs} ms`)),
          timeoutMs,
        ),
      ),
    ]);
  } finally {
    await consumer.disconnect();
  }
}
