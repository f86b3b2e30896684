import { setTimeout as sleep } from "node:timers/promises";
import { type EventEnvelope, type EventRegistry, InvalidEventError } from "@okr/events";
import { contextFromTraceparent, SpanKind, withSpan } from "@okr/telemetry";
import { type Link, trace } from "@opentelemetry/api";
import { deadLetterTopic, HEADER } from "./headers.ts";
import type { SqlExecutor } from "./outbox.ts";
import type {
  IncomingBatch,
  IncomingMessage,
  MessageBus,
  MessageConsumer,
  MessageProducer,
} from "./ports.ts";

/** Thrown by a handler for an event that can never succeed: it goes to the dead-letter topic at once. */
export class PoisonEventError extends Error {
  override name = "PoisonEventError";
}

export const PROCESSED_EVENTS_TABLE = "processed_events";

type Parsed = { event: EventEnvelope; message: IncomingMessage };

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
  reject: (error: Error) => void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((ok, fail) => {
    resolve = ok;
    reject = fail;
  });
  // A failure is reported through `handled` (the span's promise); this copy must not be unhandled.
  promise.catch(() => {});
  return { promise, resolve, reject };
}

/** A chunk of one partition's batch, parsed, waiting for (or in) a group commit. */
interface QueuedChunk {
  messages: IncomingMessage[];
  parsed: Parsed[];
  /** Resolved when the group holding the chunk begins its transaction. */
  started: Deferred;
  /** Resolved when the chunk is applied (or dead-lettered); rejected when that failed. */
  done: Deferred;
  /** `done` as seen through the chunk's process span. */
  handled: Promise<void> | undefined;
}

export interface EventConsumerOptions<Tx extends SqlExecutor> {
  bus: MessageBus;
  groupId: string;
  registry: EventRegistry;
  /** Defaults to every topic of the registry. */
  topics?: string[];
  /** Runs `work` in one database transaction: the handler's writes and the processed-event record commit together. */
  transaction: <T>(work: (tx: Tx) => Promise<T>) => Promise<T>;
  /** Applies one event (per-message mode). Give this or `handleBatch`. */
  handle?: (event: EventEnvelope, tx: Tx, message: IncomingMessage) => Promise<void>;
  /**
   * Applies many events in one transaction (batch mode, for throughput). Gets only events not processed
   * before, in partition order. If it throws, the chunk is replayed one event at a time (each in its own
   * transaction, with retries), so one poison event is dead-lettered alone and the rest still apply.
   */
  handleBatch?: (events: EventEnvelope[], tx: Tx) => Promise<void>;
  /**
   * Batch mode: events whose handler already ignores a redelivery by the event's own key (say, a row
   * inserted with `on conflict do nothing` under an id the event carries) get no processed-events
   * record: at thousands of events a second that record is a tenth of the transaction's work.
   */
  deduplicatesItself?: (event: EventEnvelope) => boolean;
  /** Batch mode: most events of one partition per transaction (default 500). */
  maxBatchSize?: number;
  /**
   * Batch mode: commit the chunks of concurrently consumed partitions together, one transaction at a
   * time (fewer, larger transactions; for handlers that serialize anyway), and pipeline: a batch is
   * handed off (IncomingBatch.handOff) once its transaction begins, so the next fetch and its parsing
   * overlap that transaction and form the next group. Default false.
   */
  groupCommit?: boolean;
  /** Attempts for a failing handler before the message is dead-lettered (transient faults retry in place). */
  maxAttempts?: number;
  retryBackoffMs?: number;
  partitionsConsumedConcurrently?: number;
  /** How soon the group replaces this consumer if it dies without leaving (default 30 s). */
  sessionTimeoutMs?: number;
  log?: (level: "info" | "warn" | "error", message: string) => void;
}

/**
 * Consumes events idempotently: each event id is recorded in `processed_events` in the same transaction
 * as the handler's writes, so a redelivered event changes nothing. Malformed messages and events whose
 * handler keeps failing go to `<topic>.dlq` with the error in headers, and consumption goes on.
 */
export class EventConsumer<Tx extends SqlExecutor> {
  readonly #options: EventConsumerOptions<Tx> & {
    maxAttempts: number;
    retryBackoffMs: number;
    maxBatchSize: number;
  };
  readonly #handle: (event: EventEnvelope, tx: Tx, message: IncomingMessage) => Promise<void>;
  readonly #pendingGroup: QueuedChunk[] = [];
  #groupCommitting = false;
  #groupCommitScheduled = false;
  #consumer: MessageConsumer | undefined;
  #deadLetters: MessageProducer | undefined;
  readonly stats = { received: 0, applied: 0, duplicates: 0, skipped: 0, deadLettered: 0 };

  constructor(options: EventConsumerOptions<Tx>) {
    this.#options = { maxAttempts: 5, retryBackoffMs: 200, maxBatchSize: 500, ...options };
    const { handle, handleBatch } = options;
    if (handle) this.#handle = handle;
    else if (handleBatch) this.#handle = (event, tx) => handleBatch([event], tx);
    else throw new Error("EventConsumer needs handle or handleBatch");
  }

  get topics(): string[] {
    return this.#options.topics ?? this.#options.registry.topics();
  }

  async start(): Promise<void> {
    const { bus, groupId } = this.#options;
    await bus.ensureTopics([...this.topics, ...this.topics.map(deadLetterTopic)]);
    this.#deadLetters = bus.producer({ idempotent: true });
    await this.#deadLetters.connect();
    this.#consumer = bus.consumer(groupId, { sessionTimeoutMs: this.#options.sessionTimeoutMs });
    await this.#consumer.connect();
    await this.#consumer.subscribe(this.topics, { fromBeginning: true });
    const partitionsConsumedConcurrently = this.#options.partitionsConsumedConcurrently ?? 1;
    if (this.#options.handleBatch) {
      await this.#consumer.run({
        partitionsConsumedConcurrently,
        eachBatch: (batch) => this.#onBatch(batch),
      });
    } else {
      await this.#consumer.run({ partitionsConsumedConcurrently, eachMessage: (m) => this.#onMessage(m) });
    }
  }

  async stop(): Promise<void> {
    await this.#consumer?.disconnect();
    await this.#deadLetters?.disconnect();
    this.#consumer = undefined;
    this.#deadLetters = undefined;
  }

  async #onBatch(batch: IncomingBatch): Promise<void> {
    const size = this.#options.maxBatchSize;
    const queued: QueuedChunk[] = [];
    for (let start = 0; start < batch.messages.length; start += size) {
      if (!batch.isActive()) break;
      const messages = batch.messages.slice(start, start + size);
      const chunk = this.#parse(messages);
      if (this.#options.groupCommit) {
        this.#pendingGroup.push(chunk);
        this.#scheduleGroupCommit();
        chunk.handled = this.#processSpan(batch.topic, messages, () => chunk.done.promise);
        queued.push(chunk);
      } else {
        await this.#processSpan(batch.topic, messages, () => this.#applyChunk(chunk));
        batch.resolveOffset(messages[messages.length - 1]!.offset);
        await batch.heartbeat();
      }
    }
    if (queued.length === 0) return;
    batch.handOff(Promise.all(queued.map((chunk) => chunk.handled)).then(() => {}));
    // Back once this batch's transaction has begun: the next fetch overlaps it, and goes no further ahead.
    await queued[queued.length - 1]!.started.promise;
  }

  /** A CONSUMER span over a chunk's processing; it links each message's trace (OpenTelemetry's batch convention). */
  #processSpan(topic: string, messages: IncomingMessage[], work: () => Promise<void>): Promise<void> {
    return withSpan(
      `${topic} process`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          "messaging.system": "kafka",
          "messaging.destination.name": topic,
          "messaging.consumer.group.name": this.#options.groupId,
          "messaging.batch.message_count": messages.length,
          "messaging.kafka.offset": Number(messages[0]!.offset),
        },
      },
      (span) => {
        span.addLinks(traceLinks(messages));
        return work();
      },
    );
  }

  #parse(messages: IncomingMessage[]): QueuedChunk {
    const parsed: Parsed[] = [];
    for (const message of messages) {
      try {
        parsed.push({ event: this.#options.registry.parse(message.value), message });
      } catch {
        // Malformed or unknown: the per-message path dead-letters or skips it and counts it.
      }
    }
    return { messages, parsed, started: deferred(), done: deferred(), handled: undefined };
  }

  /** One transaction for the whole chunk; on any failure, the chunk is replayed message by message. */
  async #applyChunk(chunk: QueuedChunk): Promise<void> {
    if (chunk.parsed.length > 0 && !(await this.#commit(chunk.parsed))) {
      for (const { message } of chunk.parsed) await this.#onMessage(message);
    }
    await this.#applyMalformed(chunk);
  }

  async #applyMalformed({ messages, parsed }: QueuedChunk): Promise<void> {
    if (parsed.length === messages.length) return;
    const parsedMessages = new Set(parsed.map(({ message }) => message));
    for (const message of messages) if (!parsedMessages.has(message)) await this.#onMessage(message);
  }

  /** Applies the events in one transaction; false (nothing written) when it failed. */
  async #commit(parsed: Parsed[]): Promise<boolean> {
    const handleBatch = this.#options.handleBatch!;
    const deduplicatesItself = this.#options.deduplicatesItself ?? (() => false);
    try {
      const outcome = await this.#options.transaction(async (tx) => {
        const fresh = await this.#recordProcessed(
          tx,
          parsed.filter(({ event }) => !deduplicatesItself(event)).map(({ event }) => event.id),
        );
        const events = parsed
          .filter(({ event }) => deduplicatesItself(event) || fresh.delete(event.id))
          .map(({ event }) => event);
        if (events.length > 0) await handleBatch(events, tx);
        return events.length;
      });
      this.stats.received += parsed.length;
      this.stats.applied += outcome;
      this.stats.duplicates += parsed.length - outcome;
      return true;
    } catch (error) {
      this.#options.log?.(
        "warn",
        `${this.#options.groupId}: batch of ${parsed.length} failed (${(error as Error).message}); replaying one by one`,
      );
      return false;
    }
  }

  #scheduleGroupCommit(): void {
    if (this.#groupCommitting || this.#groupCommitScheduled) return;
    this.#groupCommitScheduled = true;
    // After the current I/O callbacks, so partitions fetched together join the same group.
    setImmediate(() => void this.#groupCommit());
  }

  /**
   * Group commit: chunks of partitions consumed concurrently wait for the transaction in progress and
   * then commit together in the next one, so there is one transaction at a time however many
   * partitions are assigned. If a group fails, each of its chunks is retried alone (and a chunk that
   * fails alone, message by message) before the next group begins, so each partition stays in order.
   */
  async #groupCommit(): Promise<void> {
    this.#groupCommitScheduled = false;
    this.#groupCommitting = true;
    const group = this.#takeGroup();
    for (const chunk of group) chunk.started.resolve();
    try {
      const parsed = group.flatMap((chunk) => chunk.parsed);
      if (group.length > 1 && parsed.length > 0 && (await this.#commit(parsed))) {
        for (const chunk of group) await this.#applyMalformed(chunk);
      } else {
        for (const chunk of group) await this.#applyChunk(chunk);
      }
      for (const chunk of group) chunk.done.resolve();
    } catch (error) {
      // Only a dead-letter write that failed gets here: the handed-off work fails, nothing is committed.
      for (const chunk of group) chunk.done.reject(error as Error);
    } finally {
      this.#groupCommitting = false;
      if (this.#pendingGroup.length > 0) this.#scheduleGroupCommit();
    }
  }

  /**
   * The next group: the oldest waiting chunk of each partition, so a transaction holds at most
   * `maxBatchSize` events of a partition and each partition's chunks commit in order.
   */
  #takeGroup(): QueuedChunk[] {
    const group: QueuedChunk[] = [];
    const partitions = new Set<string>();
    const waiting = this.#pendingGroup.splice(0);
    for (const chunk of waiting) {
      const { topic, partition } = chunk.messages[0]!;
      const key = `${topic}\u0000${partition}`;
      if (partitions.has(key)) this.#pendingGroup.push(chunk);
      else {
        partitions.add(key);
        group.push(chunk);
      }
    }
    return group;
  }

  /** Records event ids as processed; returns the ids that were new (a redelivered id is not). */
  async #recordProcessed(tx: Tx, eventIds: string[]): Promise<Set<string>> {
    if (eventIds.length === 0) return new Set();
    const query = `insert into ${PROCESSED_EVENTS_TABLE} (consumer_group, event_id)
       select $1, id from unnest($2::text[]) as id
       on conflict do nothing returning event_id`;
    const rows = await queryRows(tx, query, [this.#options.groupId, eventIds]);
    return new Set(rows.map((row) => String(row["event_id"])));
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
      await this.#handle(event, tx, message);
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

async function queryRows(
  tx: SqlExecutor,
  query: string,
  values: unknown[],
): Promise<Record<string, unknown>[]> {
  if (!tx.$queryRawUnsafe) {
    throw new Error("batch consumption needs a transaction executor with $queryRawUnsafe");
  }
  return tx.$queryRawUnsafe(query, ...values);
}

/** Span links to the traces the messages carry (at most 128, the usual per-span link limit). */
function traceLinks(messages: IncomingMessage[]): Link[] {
  const links: Link[] = [];
  for (const message of messages) {
    const context = trace.getSpanContext(contextFromTraceparent(message.headers[HEADER.traceparent]));
    if (context) links.push({ context });
    if (links.length === 128) break;
  }
  return links;
}
