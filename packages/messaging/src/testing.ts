import { isScratchTopic, testEndpoints, uniqueName } from "@okr/endpoints";
import { createEvent, type EventData, type EventDefinition, type EventEnvelope } from "@okr/events";
import { Kafka, logLevel } from "kafkajs";
import { eventHeaders } from "./headers.ts";
import { createKafkaBus } from "./kafka.ts";
import type { IncomingMessage, MessageBus, MessageProducer } from "./ports.ts";

/*
 * Helpers for tests that talk to the real broker (this package's own and every service's, through
 * @okr/testkit). Exported as @okr/messaging/testing; production code never imports this module.
 */

/**
 * When this test process started, less a minute: a fresh consumer group of a test starts reading the
 * shared platform topics here, not at their beginning. Those topics keep every earlier run's events (on
 * a long-lived broker, hundreds of thousands), none of which a test may depend on, and reading them
 * first held tests up for minutes.
 */
const TEST_RUN_STARTED_MS = Date.now() - 60_000;

/**
 * A bus on the test broker. Its consumers read as production's do, except that a group with no
 * committed offsets on a shared platform topic starts at this test run's start (TEST_RUN_STARTED_MS)
 * instead of the topic's beginning. Topics of the test's own (`uniqueName`) are read from their start.
 */
export function testBus(brokers: string = testEndpoints().KAFKA_BROKERS): MessageBus {
  const bus = createKafkaBus({ brokers, clientId: uniqueName("okr-test"), log: () => {} });
  return {
    ...bus,
    consumer: (groupId, options) => {
      const consumer = bus.consumer(groupId, options);
      return {
        ...consumer,
        subscribe: async (topics, subscribeOptions) => {
          if (subscribeOptions?.fromBeginning ?? true)
            await startFreshGroup(
              brokers,
              groupId,
              topics.filter((topic) => !isScratchTopic(topic)),
              TEST_RUN_STARTED_MS,
            );
          await consumer.subscribe(topics, subscribeOptions);
        },
      };
    },
  };
}

/**
 * What testBus does for its own consumers, for the groups of a service process a test spawns (its
 * KAFKA_CONSUMER_GROUP prefix and a suffix per consumer): each group that has no offsets yet starts on
 * `topics` at the first message written since `sinceMs`. The process's own bus would read the shared
 * platform topics from their beginning.
 */
export async function startConsumerGroupsAt(groupIds: string[], topics: string[], sinceMs: number) {
  const brokers = testEndpoints().KAFKA_BROKERS;
  await testBus(brokers).ensureTopics(topics);
  await Promise.all(groupIds.map((groupId) => startFreshGroup(brokers, groupId, topics, sinceMs)));
}

/**
 * Commits, for a group that has none yet, the offsets of the first messages written since `sinceMs`.
 * Best effort: if that fails (a replica of the group already running, say) the group reads from the
 * beginning, which is slower but sees the same messages.
 */
async function startFreshGroup(
  brokers: string,
  groupId: string,
  topics: string[],
  sinceMs: number,
): Promise<void> {
  if (topics.length === 0) return;
  const kafka = new Kafka({
    clientId: uniqueName("okr-test-offsets"),
    brokers: brokers.split(","),
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const committed = await admin.fetchOffsets({ groupId, topics });
    const fresh = committed
      .filter(({ partitions }) => partitions.every((partition) => Number(partition.offset) < 0))
      .map(({ topic }) => topic);
    if (fresh.length === 0) return;
    const starts = await Promise.all(
      fresh.map(async (topic) => ({
        topic,
        partitions: await admin.fetchTopicOffsetsByTimestamp(topic, sinceMs),
      })),
    );
    await commitOffsets(kafka, groupId, starts);
  } catch {
    // See above: reading from the beginning instead.
  } finally {
    await admin.disconnect();
  }
}

/** How long the start offsets may take to commit before the group just reads from the beginning. */
const COMMIT_WAIT_MS = 10_000;

/**
 * What kafkajs's admin.setOffsets does (a member joins the group, seeks, leaves: seeking commits), for
 * several topics at once and without waiting out a five-second fetch for each.
 */
async function commitOffsets(
  kafka: Kafka,
  groupId: string,
  starts: { topic: string; partitions: { partition: number; offset: string }[] }[],
): Promise<void> {
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 50 });
  let fetchesSinceSeek = 0;
  let seeked: () => void = () => {};
  const committed = new Promise<void>((resolve) => {
    seeked = resolve;
  });
  // A fetch under way while seeking may miss the seeks; the one after it applies (and commits) them.
  consumer.on(consumer.events.FETCH, () => {
    if (++fetchesSinceSeek === 2) seeked();
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: starts.map(({ topic }) => topic), fromBeginning: true });
    await consumer.run({ eachBatchAutoResolve: false, eachBatch: async () => {} });
    consumer.pause(starts.map(({ topic }) => ({ topic })));
    for (const { topic, partitions } of starts)
      for (const { partition, offset } of partitions) consumer.seek({ topic, partition, offset });
    fetchesSinceSeek = 0;
    // Best effort, like the rest: a broker that never answers the fetch must not hang the test.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      committed,
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, COMMIT_WAIT_MS);
      }),
    ]);
    clearTimeout(timer);
  } finally {
    await consumer.disconnect();
  }
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

/**
 * Sends an event of `tenant` straight to its topic, as a producer without an outbox (the cycle worker)
 * or a relay does: `id` fixed to send it again, `time` for an event published in the past.
 */
export async function sendEvent<D extends EventDefinition>(
  producer: MessageProducer,
  definition: D,
  data: EventData<D>,
  tenant: string,
  context: { id?: string; time?: Date } = {},
): Promise<EventEnvelope<EventData<D>>> {
  const envelope = createEvent(definition, data as never, { tenant, ...context }) as EventEnvelope<
    EventData<D>
  >;
  await producer.send([
    {
      topic: definition.topic,
      key: envelope.partitionkey,
      value: JSON.stringify(envelope),
      headers: eventHeaders(envelope, undefined),
    },
  ]);
  return envelope;
}
