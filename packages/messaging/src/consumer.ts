import { setTimeout as sleep } from "node:timers/promises";
import { isDatabaseUnavailable, type SqlRunner } from "@okr/database";
import { type EventEnvelope, type EventRegistry, InvalidEventError } from "@okr/events";
import { contextFromTraceparent, SpanKind, withSpan } from "@okr/telemetry";
import { type Link, trace } from "@opentelemetry/api";
import { deadLetterTopic, HEADER } from "./headers.ts";
import type {
  IncomingBatch,
  IncomingMessage,
  MessageBus,
  MessageConsumer,
  MessageProducer,
} from "./ports.ts";
import { isRetriableKafkaError, retryUntil } from "./retry.ts";

/** Thrown by a handler for an event that can never succeed: it goes to the dead-letter topic at once. */
export class PoisonEventError extends Error {
  override name = "PoisonEventError";
}

export const PROCESSED_EVENTS_TABLE = "processed_events";

type Parsed = { event: EventEnvelope; message: IncomingMessage };

export interface EventConsumerOptions<Tx extends SqlRunner> {
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
   * record: on a busy consumer that record is a real share of each transaction's work.
   */
  deduplicatesItself?: (event: EventEnvelope) => boolean;
  /** Batch mode: most events of one partition per transaction (default 500). */
  maxBatchSize?: number;
  /**
   * Batch mode: commit the chunks of concurrently consumed partitions together, one transaction at a
   * time (fewer, larger transactions; for handlers that serialize anyway). Default false.
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
export class EventConsumer<Tx extends SqlRunner> {
  readonly #options: EventConsumerOptions<Tx> & {
    maxAttempts: number;
    retryBackoffMs: number;
    maxBatchSize: number;
  };
  readonly #handle: (event: EventEnvelope, tx: Tx, message: IncomingMessage) => Promise<void>;
  readonly #pendingGroup: { parsed: Parsed[]; resolve: (committed: boolean) => void }[] = [];
  #groupCommitting = false;
  #groupCommitScheduled = false;
  #consumer: MessageConsumer | undefined;
  #deadLetters: MessageProducer | undefined;
  #stopping: AbortController | undefined;
  #starting: Promise<boolean> | undefined;
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

  /**
   * Creates the topics, connects and starts consuming. A broker that is not reachable yet, or still
   * creating its topics, is waited for (one log line, then a retry with backoff) until it answers or
   * `stop()` is called; only an error waiting cannot cure (kafkajs says which) is thrown.
   */
  async start(): Promise<void> {
    const stopping = new AbortController();
    this.#stopping = stopping;
    this.#starting = retryUntil(() => this.#connectAndRun(stopping.signal), {
      what: `${this.#options.groupId}: consumer start`,
      retriable: isRetriableKafkaError,
      signal: stopping.signal,
      log: this.#options.log,
    });
    await this.#starting;
  }

  async #connectAndRun(stopping: AbortSignal): Promise<void> {
    const { bus, groupId } = this.#options;
    const unlessStopping = () => stopping.throwIfAborted();
    try {
      await bus.ensureTopics([...this.topics, ...this.topics.map(deadLetterTopic)]);
      unlessStopping();
      this.#deadLetters = bus.producer({ idempotent: true });
      await this.#deadLetters.connect();
      unlessStopping();
      this.#consumer = bus.consumer(groupId, { sessionTimeoutMs: this.#options.sessionTimeoutMs });
      await this.#consumer.connect();
      await this.#consumer.subscribe(this.topics, { fromBeginning: true });
      unlessStopping();
      const partitionsConsumedConcurrently = this.#options.partitionsConsumedConcurrently ?? 1;
      if (this.#options.handleBatch) {
        await this.#consumer.run({
          partitionsConsumedConcurrently,
          eachBatch: (batch) => this.#onBatch(batch),
        });
      } else {
        await this.#consumer.run({ partitionsConsumedConcurrently, eachMessage: (m) => this.#onMessage(m) });
      }
    } catch (error) {
      // The next attempt starts from fresh clients: a half-connected one may hold a dead connection.
      await this.#disconnect().catch(() => {});
      throw error;
    }
  }

  /** Stops consuming; a start still waiting for the broker gives up (after its attempt in flight). */
  get #isStopping(): boolean {
    return this.#stopping?.signal.aborted ?? false;
  }

  async stop(): Promise<void> {
    this.#stopping?.abort();
    await this.#starting?.catch(() => {});
    this.#starting = undefined;
    await this.#disconnect();
  }

  async #disconnect(): Promise<void> {
    const consumer = this.#consumer;
    const deadLetters = this.#deadLetters;
    this.#consumer = undefined;
    this.#deadLetters = undefined;
    await consumer?.disconnect();
    await deadLetters?.disconnect();
  }

  async #onBatch(batch: IncomingBatch): Promise<void> {
    const size = this.#options.maxBatchSize;
    for (let start = 0; start < batch.messages.length; start += size) {
      if (!batch.isActive()) return;
      const chunk = batch.messages.slice(start, start + size);
      await withSpan(
        `${batch.topic} process`,
        {
          kind: SpanKind.CONSUMER,
          attributes: {
            "messaging.system": "kafka",
            "messaging.destination.name": batch.topic,
            "messaging.consumer.group.name": this.#options.groupId,
            "messaging.batch.message_count": chunk.length,
            "messaging.kafka.offset": Number(chunk[0]!.offset),
          },
        },
        (span) => {
          // A batch has many parents: link each message's trace (OpenTelemetry's batch convention).
          span.addLinks(traceLinks(chunk));
          return this.#applyChunk(chunk);
        },
      );
      batch.resolveOffset(chunk[chunk.length - 1]!.offset);
      await batch.heartbeat();
    }
  }

  /** One transaction for the whole chunk; on any failure, the chunk is replayed message by message. */
  async #applyChunk(chunk: IncomingMessage[]): Promise<void> {
    const parsed: Parsed[] = [];
    for (const message of chunk) {
      try {
        parsed.push({ event: this.#options.registry.parse(message.value), message });
      } catch {
        // Malformed or unknown: the per-message path below dead-letters or skips it and counts it.
      }
    }
    if (parsed.length > 0) {
      const committed = this.#options.groupCommit
        ? await this.#commitTogether(parsed)
        : await this.#commit(parsed);
      if (!committed) for (const { message } of parsed) await this.#onMessage(message);
    }
    if (parsed.length < chunk.length) {
      const parsedMessages = new Set(parsed.map(({ message }) => message));
      for (const message of chunk) if (!parsedMessages.has(message)) await this.#onMessage(message);
    }
  }

  /**
   * Applies the events in one transaction; false (nothing written) when it failed. While the database
   * is unreachable the same batch is retried as it is: replaying it event by event would help nothing.
   */
  async #commit(parsed: Parsed[]): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#commitOnce(parsed);
      } catch (error) {
        if (isDatabaseUnavailable(error) && !this.#isStopping) {
          this.#options.log?.(
            "warn",
            `${this.#options.groupId}: database unavailable (${(error as Error).message}); retrying a batch of ${parsed.length}`,
          );
          await sleep(this.#unavailableBackoffMs(attempt));
          continue;
        }
        this.#options.log?.(
          "warn",
          `${this.#options.groupId}: batch of ${parsed.length} failed (${(error as Error).message}); replaying one by one`,
        );
        return false;
      }
    }
  }

  async #commitOnce(parsed: Parsed[]): Promise<true> {
    const handleBatch = this.#options.handleBatch!;
    const deduplicatesItself = this.#options.deduplicatesItself ?? (() => false);
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
  }

  /** Waits between attempts while the database is unreachable: doubling, at most five seconds. */
  #unavailableBackoffMs(attempt: number): number {
    return Math.min(5_000, this.#options.retryBackoffMs * 2 ** Math.min(attempt - 1, 10));
  }

  /**
   * Group commit: chunks of partitions consumed concurrently wait for the transaction in progress and
   * then commit together in the next one, so there is one transaction at a time however many
   * partitions are assigned. If a group fails, each of its chunks is retried alone.
   */
  #commitTogether(parsed: Parsed[]): Promise<boolean> {
    return new Promise((resolve) => {
      this.#pendingGroup.push({ parsed, resolve });
      this.#scheduleGroupCommit();
    });
  }

  #scheduleGroupCommit(): void {
    if (this.#groupCommitting || this.#groupCommitScheduled) return;
    this.#groupCommitScheduled = true;
    // After the current I/O callbacks, so partitions fetched together join the same group.
    setImmediate(() => void this.#groupCommit());
  }

  async #groupCommit(): Promise<void> {
    this.#groupCommitScheduled = false;
    this.#groupCommitting = true;
    const group = this.#pendingGroup.splice(0);
    try {
      if (await this.#commit(group.flatMap(({ parsed }) => parsed))) {
        for (const { resolve } of group) resolve(true);
      } else if (group.length === 1) {
        group[0]!.resolve(false);
      } else {
        for (const { parsed, resolve } of group) resolve(await this.#commit(parsed));
      }
    } finally {
      this.#groupCommitting = false;
      if (this.#pendingGroup.length > 0) this.#scheduleGroupCommit();
    }
  }

  /** Records event ids as processed; returns the ids that were new (a redelivered id is not). */
  async #recordProcessed(tx: Tx, eventIds: string[]): Promise<Set<string>> {
    if (eventIds.length === 0) return new Set();
    const query = `insert into ${PROCESSED_EVENTS_TABLE} (consumer_group, event_id)
       select $1, id from unnest($2::text[]) as id
       on conflict do nothing returning event_id`;
    const { rows } = await tx.query<{ event_id: string }>(query, [this.#options.groupId, eventIds]);
    return new Set(rows.map((row) => String(row.event_id)));
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
        for (let attempt = 1, unavailable = 0; ; attempt++) {
          try {
            await this.#applyOnce(event, message);
            return;
          } catch (error) {
            // A database that is unreachable says nothing about the event: wait for it, never dead-letter.
            // When stopping, the error leaves the offset uncommitted and the event is redelivered.
            if (isDatabaseUnavailable(error)) {
              if (this.#isStopping) throw error;
              attempt -= 1;
              unavailable += 1;
              this.#options.log?.(
                "warn",
                `${this.#options.groupId}: database unavailable for ${event.type} ${event.id} (${(error as Error).message}); retrying`,
              );
              await sleep(this.#unavailableBackoffMs(unavailable));
              continue;
            }
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
      // `returning` so the count is right through any SqlRunner (prismaRunner counts returned rows).
      const { rowCount } = await tx.query(
        `insert into ${PROCESSED_EVENTS_TABLE} (consumer_group, event_id) values ($1, $2) on conflict do nothing returning 1`,
        [this.#options.groupId, event.id],
      );
      if (rowCount === 0) return false;
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
