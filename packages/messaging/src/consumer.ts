import { setTimeout as sleep } from "node:timers/promises";
import { type EventEnvelope, type EventRegistry, InvalidEventError } from "@okr/events";
import { contextFromTraceparent, SpanKind, withSpan } from "@okr/telemetry";
import { deadLetterTopic, HEADER } from "./headers.ts";
import type { SqlExecutor } from "./outbox.ts";
import type { IncomingMessage, MessageBus, MessageConsumer, MessageProducer } from "./ports.ts";

/** Thrown by a handler for an event that can never succeed: it goes to the dead-letter topic at once. */
export class PoisonEventError extends Error {
  override name = "PoisonEventError";
}

export const PROCESSED_EVENTS_TABLE = "processed_events";

export interface EventConsumerOptions<Tx extends SqlExecutor> {
  bus: MessageBus;
  groupId: string;
  registry: EventRegistry;
  /** Defaults to every topic of the registry. */
  topics?: string[];
  /** Runs `work` in one database transaction: the handler's writes and the processed-event record commit together. */
  transaction: <T>(work: (tx: Tx) => Promise<T>) => Promise<T>;
  handle: (event: EventEnvelope, tx: Tx, message: IncomingMessage) => Promise<void>;
  /** Attempts for a failing handler before the message is dead-lettered (transient faults retry in place). */
  maxAttempts?: number;
  retryBackoffMs?: number;
  partitionsConsumedConcurrently?: number;
  log?: (level: "info" | "warn" | "error", message: string) => void;
}

/**
 * Consumes events idempotently: each event id is recorded in `processed_events` in the same transaction
 * as the handler's writes, so a redelivered event changes nothing. Malformed messages and events whose
 * handler keeps failing go to `<topic>.dlq` with the error in headers, and consumption goes on.
 */
export class EventConsumer<Tx extends SqlExecutor> {
  readonly #options: EventConsumerOptions<Tx> & { maxAttempts: number; retryBackoffMs: number };
  #consumer: MessageConsumer | undefined;
  #deadLetters: MessageProducer | undefined;
  readonly stats = { received: 0, applied: 0, duplicates: 0, skipped: 0, deadLettered: 0 };

  constructor(options: EventConsumerOptions<Tx>) {
    this.#options = { maxAttempts: 5, retryBackoffMs: 200, ...options };
  }

  get topics(): string[] {
    return this.#options.topics ?? this.#options.registry.topics();
  }

  async start(): Promise<void> {
    const { bus, groupId } = this.#options;
    await bus.ensureTopics([...this.topics, ...this.topics.map(deadLetterTopic)]);
    this.#deadLetters = bus.producer({ idempotent: true });
    await this.#deadLetters.connect();
    this.#consumer = bus.consumer(groupId);
    await this.#consumer.connect();
    await this.#consumer.subscribe(this.topics, { fromBeginning: true });
    await this.#consumer.run({
      partitionsConsumedConcurrently: this.#options.partitionsConsumedConcurrently ?? 1,
      eachMessage: (message) => this.#onMessage(message),
    });
  }

  async stop(): Promise<void> {
    await this.#consumer?.disconnect();
    await this.#deadLetters?.disconnect();
    this.#consumer = undefined;
    this.#deadLetters = undefined;
  }

  async #onMessage(message: IncomingMessage): Promise<void> {
    this.stats.received += 1;
    const parent = contextFromTraceparent(message.headers[HEADER.traceparent]);
    await withSpan(
      `${message.topic} process`,
      {
        kind: SpanKind.CONSUMER,
        parent,
        attributes: {
          "messaging.system": "kafka",
          "messaging.destination.name": message.topic,
          "messaging.consumer.group.name": this.#options.groupId,
          "messaging.kafka.offset": Number(message.offset),
          "messaging.message.id": message.headers[HEADER.id] ?? "",
        },
      },
      async () => {
        let event: EventEnvelope;
        try {
          event = this.#options.registry.parse(message.value);
        } catch (error) {
          if (error instanceof InvalidEventError && error.reason === "unknown-type") {
            this.stats.skipped += 1;
            return;
          }
          await this.#deadLetter(message, error as Error, 1);
          return;
        }
        for (let attempt = 1; ; attempt++) {
          try {
            await this.#applyOnce(event, message);
            return;
          } catch (error) {
            const permanent = error instanceof PoisonEventError || error instanceof InvalidEventError;
            if (permanent || attempt >= this.#options.maxAttempts) {
              await this.#deadLetter(message, error as Error, attempt);
              return;
            }
            this.#options.log?.(
              "warn",
              `${this.#options.groupId}: ${event.type} ${event.id} failed (attempt ${attempt}): ${(error as Error).message}`,
            );
            await sleep(this.#options.retryBackoffMs * 2 ** (attempt - 1));
          }
        }
      },
    );
  }

  async #applyOnce(event: EventEnvelope, message: IncomingMessage): Promise<void> {
    const applied = await this.#options.transaction(async (tx) => {
      const inserted = await tx.$executeRawUnsafe(
        `insert into ${PROCESSED_EVENTS_TABLE} (consumer_group, event_id) values ($1, $2) on conflict do nothing`,
        this.#options.groupId,
        event.id,
      );
      if (inserted === 0) return false;
      await this.#options.handle(event, tx, message);
      return true;
    });
    if (applied) this.stats.applied += 1;
    else this.stats.duplicates += 1;
  }

  /** If the dead-letter write itself fails, the error propagates and the message is redelivered: nothing is lost. */
  async #deadLetter(message: IncomingMessage, error: Error, attempts: number): Promise<void> {
    const producer = this.#deadLetters;
    if (!producer) throw error;
    const { deadLetter } = HEADER;
    await producer.send([
      {
        topic: deadLetterTopic(message.topic),
        key: message.key ?? "",
        value: message.value?.toString() ?? "",
        headers: {
          ...message.headers,
          [deadLetter.error]: error.message.slice(0, 4000),
          [deadLetter.errorType]: error.name,
          [deadLetter.sourceTopic]: message.topic,
          [deadLetter.sourcePartition]: String(message.partition),
          [deadLetter.sourceOffset]: message.offset,
          [deadLetter.consumerGroup]: this.#options.groupId,
          [deadLetter.failedAt]: new Date().toISOString(),
          [deadLetter.attempts]: String(attempts),
        },
      },
    ]);
    this.stats.deadLettered += 1;
    this.#options.log?.(
      "error",
      `${this.#options.groupId}: dead-lettered ${message.topic}@${message.offset}: ${error.message}`,
    );
  }
}
