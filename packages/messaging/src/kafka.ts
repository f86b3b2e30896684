import { setTimeout as sleep } from "node:timers/promises";
import { silenceKafkajsNegativeTimeoutWarning } from "@okr/endpoints";
import {
  type Consumer,
  Kafka,
  type KafkaConfig,
  type KafkaMessage,
  logLevel,
  Partitioners,
  type Producer,
} from "kafkajs";
import type {
  IncomingMessage,
  MessageBus,
  MessageConsumer,
  MessageProducer,
  OutgoingMessage,
} from "./ports.ts";
import { seenWithin } from "./retry.ts";

export { silenceKafkajsNegativeTimeoutWarning };

export interface KafkaBusOptions {
  brokers: string;
  clientId: string;
  /** kafkajs log lines go here (warnings and errors only). */
  log?: (level: "warn" | "error", message: string, extra: Record<string, unknown>) => void;
}

/** The kafkajs adapter of the MessageBus port. */
export function createKafkaBus(options: KafkaBusOptions): MessageBus {
  silenceKafkajsNegativeTimeoutWarning();
  const log = options.log ?? defaultLog;
  const repeated = seenWithin(LOG_REPEAT_INTERVAL_MS);
  const config: KafkaConfig = {
    clientId: options.clientId,
    brokers: options.brokers.split(",").map((broker) => broker.trim()),
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log: entry }) => {
        const { message, ...extra } = entry;
        if (repeated(`${message} ${String(extra.error ?? "")}`)) return;
        log(level === logLevel.ERROR ? "error" : "warn", `kafkajs: ${message}`, extra);
      },
    // Bounded: the relay and consumers retry on their own terms, so a dead broker surfaces within seconds.
    retry: { initialRetryTime: 200, maxRetryTime: 3000, retries: 5 },
  };
  const kafka = new Kafka(config);
  // Consumers get a client of their own that keeps retrying in place (see CONSUMER_RETRY).
  const consumerKafka = new Kafka({ ...config, retry: CONSUMER_RETRY });
  return {
    producer: (producerOptions) => kafkaProducer(kafka, producerOptions?.idempotent ?? true),
    consumer: (groupId, consumerOptions) =>
      kafkaConsumer(consumerKafka, groupId, log, consumerOptions?.sessionTimeoutMs),
    ensureTopics: (topics, topicOptions) => ensureTopics(kafka, topics, topicOptions?.partitions ?? 6),
  };
}

/**
 * While a broker is away, kafkajs reports every retry of every client (connection refused, no
 * coordinator, unknown partition...). The same line is logged once per interval, so an outage of a
 * minute costs a few lines, not hundreds.
 */
const LOG_REPEAT_INTERVAL_MS = 60_000;

function defaultLog(level: "warn" | "error", message: string, extra: Record<string, unknown>) {
  // Rebalances and reconnects are routine; keep them terse.
  console[level](message, JSON.stringify(extra));
}

function kafkaProducer(kafka: Kafka, idempotent: boolean): MessageProducer {
  // The idempotent producer (acks=all, one request in flight) never writes a retried batch twice.
  const producer: Producer = kafka.producer({
    idempotent,
    maxInFlightRequests: idempotent ? 1 : 5,
    allowAutoTopicCreation: true,
    // The Java client's murmur2 partitioner, named explicitly: keys land where other Kafka clients put them.
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  return {
    connect: () => producer.connect(),
    disconnect: () => producer.disconnect(),
    async send(messages: OutgoingMessage[]) {
      if (messages.length === 0) return;
      const byTopic = new Map<string, { key: string; value: string; headers: Record<string, string> }[]>();
      for (const message of messages) {
        let list = byTopic.get(message.topic);
        if (!list) {
          list = [];
          byTopic.set(message.topic, list);
        }
        list.push({ key: message.key, value: message.value, headers: message.headers });
      }
      await producer.sendBatch({
        acks: -1,
        topicMessages: [...byTopic].map(([topic, topicMessages]) => ({ topic, messages: topicMessages })),
      });
    },
  };
}

/**
 * How a consumer rides out a broker that went away. kafkajs retries a failed fetch with these settings
 * before it gives up, leaves the group and starts over as a new member; a new member then waits for the
 * old one's session to expire on the restarted coordinator (the session timeout, 30 s). Retrying in
 * place for longer keeps the member id, so a broker back within that time is fetched from again within
 * a second (maxRetryTime), and the member rejoins at once.
 */
const CONSUMER_RETRY = { initialRetryTime: 200, maxRetryTime: 1_000, retries: 120 };
const RESTART_DELAY_MS = { initial: 200, max: 2_000 };

function kafkaConsumer(
  kafka: Kafka,
  groupId: string,
  log: NonNullable<KafkaBusOptions["log"]>,
  sessionTimeout = 30_000,
): MessageConsumer {
  const consumer = kafka.consumer({
    groupId,
    sessionTimeout,
    heartbeatInterval: Math.min(3_000, Math.floor(sessionTimeout / 3)),
    retry: CONSUMER_RETRY,
  });
  // kafkajs restarts a crashed consumer only after an error it classes retriable. Others (no group
  // coordinator yet on a broker still creating __consumer_offsets, say) would leave it stopped for good
  // while the process looks healthy: those restarts are ours, with backoff, until it is disconnected.
  let runOptions: Parameters<Consumer["run"]>[0] | undefined;
  let disconnecting = false;
  let restartDelay = RESTART_DELAY_MS.initial;
  let restartTimer: NodeJS.Timeout | undefined;
  const restartLater = (reason: string) => {
    if (disconnecting || restartTimer) return;
    if (restartDelay === RESTART_DELAY_MS.initial)
      log("warn", `consumer ${groupId} stopped (${reason}); restarting it until it rejoins`, { groupId });
    restartTimer = setTimeout(async () => {
      restartTimer = undefined;
      if (disconnecting) return;
      try {
        await consumer.connect();
        await consumer.run(runOptions);
      } catch (error) {
        restartLater((error as Error).message);
      }
    }, restartDelay);
    restartDelay = Math.min(restartDelay * 2, RESTART_DELAY_MS.max);
  };
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (!payload.restart) restartLater(payload.error.message);
  });
  consumer.on(consumer.events.GROUP_JOIN, () => {
    restartDelay = RESTART_DELAY_MS.initial;
  });
  // Batch mode commits offsets here, after each handled batch, in order and off the fetch path: kafkajs'
  // own auto-commit is a broker round trip between every batch and the next fetch. A commit that fails
  // (a rebalance, a disconnect) only means those events are delivered again, and consumers are idempotent.
  let commits: Promise<void> = Promise.resolve();
  const commitLater = (topic: string, partition: number, lastOffset: string) => {
    const offset = (BigInt(lastOffset) + 1n).toString();
    commits = commits.then(() =>
      consumer.commitOffsets([{ topic, partition, offset }]).catch((error: Error) =>
        log(
          "warn",
          `${topic}/${partition} below offset ${offset} not committed: delivered again to this idempotent group`,
          {
            groupId,
            error: error.message,
          },
        ),
      ),
    );
  };
  const run = (options: Parameters<Consumer["run"]>[0]) => {
    runOptions = options;
    return consumer.run(options);
  };
  return {
    connect: () => {
      disconnecting = false;
      return consumer.connect();
    },
    disconnect: async () => {
      disconnecting = true;
      clearTimeout(restartTimer);
      restartTimer = undefined;
      await commits;
      await consumer.disconnect();
    },
    subscribe: (topics, options) =>
      consumer.subscribe({ topics, fromBeginning: options?.fromBeginning ?? true }),
    run: (options) => {
      const partitionsConsumedConcurrently = options.partitionsConsumedConcurrently ?? 1;
      const { eachBatch, eachMessage } = options;
      if (eachBatch) {
        return run({
          partitionsConsumedConcurrently,
          autoCommit: false,
          eachBatchAutoResolve: false,
          eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
            if (batch.isEmpty()) return;
            let resolved: string | undefined;
            await eachBatch({
              topic: batch.topic,
              partition: batch.partition,
              messages: batch.messages.map((message) => incoming(batch.topic, batch.partition, message)),
              resolveOffset: (offset) => {
                resolveOffset(offset);
                resolved = offset;
              },
              heartbeat,
              isActive: () => isRunning() && !isStale(),
            });
            // A handler that stopped early (stopping, or rebalanced away) leaves the rest for redelivery.
            if (isRunning() && !isStale()) {
              resolveOffset(batch.lastOffset());
              resolved = batch.lastOffset();
            }
            if (resolved !== undefined) commitLater(batch.topic, batch.partition, resolved);
          },
        });
      }
      return run({
        partitionsConsumedConcurrently,
        eachMessage: async ({ topic, partition, message }) => {
          await eachMessage(incoming(topic, partition, message));
        },
      });
    },
  };
}

function incoming(topic: string, partition: number, message: KafkaMessage): IncomingMessage {
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key?.toString() ?? null,
    value: message.value,
    headers: Object.fromEntries(
      Object.entries(message.headers ?? {}).flatMap(([name, value]) =>
        value === undefined ? [] : [[name, Array.isArray(value) ? String(value[0]) : String(value)]],
      ),
    ),
  };
}

const ENSURE_TOPIC_ATTEMPTS = 15;

async function ensureTopics(kafka: Kafka, topics: string[], partitions: number): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        const existing = new Set(await admin.listTopics());
        const missing = [...new Set(topics)].filter((topic) => !existing.has(topic));
        if (missing.length > 0) {
          await admin.createTopics({
            waitForLeaders: true,
            topics: missing.map((topic) => ({ topic, numPartitions: partitions, replicationFactor: -1 })),
          });
        }
        return;
      } catch (error) {
        // A broker that has just created a topic (here or for a concurrent process) can answer metadata
        // with "unknown topic or partition" until the partitions have leaders; kafkajs marks it retriable.
        if (attempt >= ENSURE_TOPIC_ATTEMPTS || (error as { retriable?: boolean }).retriable !== true)
          throw error;
        await sleep(Math.min(2_000, 200 * attempt));
      }
    }
  } finally {
    await admin.disconnect();
  }
}
