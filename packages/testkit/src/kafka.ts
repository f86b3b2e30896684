import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { createServer } from "node:net";
import { ensureKafka, type KafkaInstance, kafkaDataDir, killKafka, stopKafka } from "@okr/infra/native/kafka";
import { createKafkaBus, type IncomingMessage, type MessageBus } from "@okr/messaging";
import { cacheDir, testEndpoints } from "./endpoints.ts";

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
  /** Starts the broker (again), keeping its data directory; resolves once it answers. */
  start(): Promise<void>;
  /** SIGKILL: the broker dies as in a crash, without a controlled shutdown. */
  kill(): Promise<void>;
}

/**
 * A broker of this test's own (a second native KRaft broker on its own ports), so a fault test can stop
 * and restart the real thing without disturbing tests that share the platform broker. It starts from an
 * empty data directory on every run, and keeps its ports across stop/start so clients can reconnect.
 * With `{ started: false }` only its address is chosen: a test can start clients before the broker.
 */
export async function startPrivateKafka(
  name: string,
  options: { started?: boolean } = {},
): Promise<ControllableBroker> {
  const [port, controllerPort] = await twoFreePortsBelowEphemeralRange();
  const instance: KafkaInstance = { name, host: "127.0.0.1", port, controllerPort };
  const dir = cacheDir();
  await stopKafka(dir, instance); // a broker a killed run left behind
  rmSync(kafkaDataDir(dir, instance), { recursive: true, force: true });
  if (options.started ?? true) await ensureKafka(dir, instance);
  return {
    brokers: `${instance.host}:${instance.port}`,
    stop: async () => {
      await stopKafka(dir, instance);
    },
    start: async () => {
      await ensureKafka(dir, instance);
    },
    kill: async () => {
      await killKafka(dir, instance);
    },
  };
}

/**
 * Free TCP ports on 127.0.0.1 below 32768, where Linux (32768-60999) and macOS (49152-65535) never hand
 * out ports to outgoing connections: a port in those ranges can be taken by any client socket of the
 * test run between the check and the bind, or while the broker is stopped. That once failed CI.
 */
async function twoFreePortsBelowEphemeralRange(from = 29_100, to = 32_700): Promise<[number, number]> {
  const ports: number[] = [];
  for (let port = from; port < to; port++) {
    if (await canListen(port)) ports.push(port);
    const [first, second] = ports;
    if (first !== undefined && second !== undefined) return [first, second];
  }
  throw new Error(`no two free ports on 127.0.0.1 in ${from}-${to}`);
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen({ port, host: "127.0.0.1", exclusive: true }, () => server.close(() => resolve(true)));
  });
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
