import { isDatabaseUnavailable } from "@okr/database";
import { contextFromTraceparent, SpanKind, tracer, withSpan } from "@okr/telemetry";
import { context, propagation, trace } from "@opentelemetry/api";
import type pg from "pg";
import { eventHeaders } from "./headers.ts";
import { OUTBOX_TABLE } from "./outbox.ts";
import type { MessageProducer, OutgoingMessage } from "./ports.ts";

/** Events the relay reads and sends per batch unless told otherwise. */
export const DEFAULT_RELAY_BATCH_SIZE = 500;

export interface OutboxRelayOptions {
  pool: pg.Pool;
  /** Called again after a failed send, so a broker restart never leaves a wedged producer behind. */
  createProducer: () => MessageProducer;
  batchSize?: number;
  /** Fallback poll when no NOTIFY arrives (e.g. rows written by a tool without the trigger). */
  pollIntervalMs?: number;
  /** Longest pause between retries while Kafka is unreachable. */
  maxBackoffMs?: number;
  log?: (level: "info" | "warn" | "error", message: string) => void;
}

interface OutboxRow {
  id: string;
  topic: string;
  partition_key: string;
  type: string;
  tenant: string;
  source: string;
  envelope: string;
  traceparent: string | null;
}

/**
 * Moves committed outbox rows to Kafka in commit order and deletes them once the broker acknowledged.
 * One relay per database is active at a time (an advisory lock elects it), which keeps per-key order
 * across replicas. Delivery is at-least-once: a crash between the ack and the delete resends a batch,
 * and consumers drop the repeat by event id.
 */
export class OutboxRelay {
  readonly #options: Required<Omit<OutboxRelayOptions, "log">> & Pick<OutboxRelayOptions, "log">;
  #client: pg.PoolClient | undefined;
  #producer: MessageProducer | undefined;
  #running = false;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  /**
   * Set by a NOTIFY (or stop) that came while the loop was not asleep, e.g. one delivered right after
   * the relay's own commit: the next sleep returns at once instead of losing it for a poll interval.
   */
  #wokenEarly = false;
  readonly stats = { published: 0, batches: 0, failures: 0, lastError: undefined as string | undefined };

  constructor(options: OutboxRelayOptions) {
    this.#options = {
      batchSize: DEFAULT_RELAY_BATCH_SIZE,
      pollIntervalMs: 1000,
      maxBackoffMs: 5000,
      ...options,
    };
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#run();
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#wakeUp();
    await this.#loop;
    await this.#release();
  }

  /** Publishes until the outbox is empty; returns how many events went out. For tests and benchmarks. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const sent = await this.#publishBatch();
      total += sent;
      if (sent === 0) return total;
    }
  }

  async #run(): Promise<void> {
    let backoff = 100;
    while (this.#running) {
      try {
        if (!(await this.#acquireLeadership())) {
          await this.#sleep(2000);
          continue;
        }
        // A NOTIFY from here on may concern rows this batch's read does not see: it wakes the next sleep.
        this.#wokenEarly = false;
        const sent = await this.#publishBatch();
        backoff = 100;
        if (sent < this.#options.batchSize) await this.#sleep(this.#options.pollIntervalMs);
      } catch (error) {
        this.stats.failures += 1;
        this.stats.lastError = (error as Error).message;
        this.#options.log?.("warn", `outbox relay: ${(error as Error).message}; retrying in ${backoff} ms`);
        await this.#resetProducer();
        await this.#sleep(backoff);
        backoff = Math.min(backoff * 2, this.#options.maxBackoffMs);
      }
    }
  }

  async #acquireLeadership(): Promise<boolean> {
    if (this.#client) return true;
    const client = await this.#options.pool.connect();
    try {
      const { rows } = await client.query<{ leader: boolean }>(
        "select pg_try_advisory_lock(hashtext('okr-outbox-relay')) as leader",
      );
      if (!rows[0]?.leader) {
        client.release();
        return false;
      }
      client.on("notification", () => this.#wakeUp());
      // A lost connection, also one that breaks between batches, while the relay sleeps; a failure of
      // the relay's own query reaches #publishBatch too, which drops leadership the same way (once).
      client.on("error", (error) => this.#loseLeadership(client, error));
      await client.query("listen okr_outbox");
    } catch (error) {
      // Destroyed, not pooled: with its session go the lock and the LISTEN.
      client.release(error as Error);
      throw error;
    }
    this.#client = client;
    this.#options.log?.("info", "outbox relay: elected for this database");
    return true;
  }

  /**
   * The leader's connection broke (a database restart, a failover, a killed backend): the server took
   * its lock and LISTEN with it. The pool destroys the client, and the loop's next round elects again on
   * a fresh connection; keeping the dead one would leave the relay failing forever.
   */
  #loseLeadership(client: pg.PoolClient, error: Error): void {
    if (this.#client !== client) return;
    this.#client = undefined;
    client.release(error);
    this.#options.log?.(
      "warn",
      `outbox relay: lost its database connection (${error.message}); electing again`,
    );
    this.#wakeUp();
  }

  async #publishBatch(): Promise<number> {
    const client = this.#client ?? (await this.#options.pool.connect());
    const borrowed = client !== this.#client;
    let broken: Error | undefined;
    let sending = false;
    try {
      await client.query("begin");
      try {
        const { rows } = await client.query<OutboxRow>(
          `select id, topic, partition_key, event_type as type, tenant, envelope->>'source' as source,
                  envelope::text as envelope, envelope->>'traceparent' as traceparent
             from ${OUTBOX_TABLE} order by seq limit $1 for update skip locked`,
          [this.#options.batchSize],
        );
        if (rows.length > 0) {
          sending = true;
          await this.#send(rows);
          sending = false;
          await client.query(`delete from ${OUTBOX_TABLE} where id = any($1::uuid[])`, [
            rows.map((row) => row.id),
          ]);
        }
        await client.query("commit");
        this.stats.published += rows.length;
        if (rows.length > 0) this.stats.batches += 1;
        return rows.length;
      } catch (error) {
        await client.query("rollback").catch((rollbackError: Error) => {
          broken = rollbackError;
        });
        throw error;
      }
    } catch (error) {
      // A broker's socket errors look alike (ECONNREFUSED...): only a failed rollback tells on the database then.
      if (!sending && isDatabaseUnavailable(error)) broken ??= error as Error;
      if (broken && !borrowed) this.#loseLeadership(client, broken);
      throw error;
    } finally {
      if (borrowed) client.release(broken);
    }
  }

  /** One PRODUCER span per event, continuing the trace of the request that wrote it. */
  async #send(rows: OutboxRow[]): Promise<void> {
    const producer = await this.#connectedProducer();
    const spans = rows.map((row) => {
      const parent = contextFromTraceparent(row.traceparent ?? undefined);
      const span = tracer().startSpan(
        `${row.topic} publish`,
        {
          kind: SpanKind.PRODUCER,
          attributes: { "messaging.system": "kafka", "messaging.destination.name": row.topic },
        },
        parent,
      );
      const carrier: Record<string, string> = {};
      propagation.inject(trace.setSpan(context.active(), span), carrier);
      return { span, traceparent: row.traceparent ? carrier.traceparent : undefined };
    });
    const messages: OutgoingMessage[] = rows.map((row, index) => ({
      topic: row.topic,
      key: row.partition_key,
      value: row.envelope,
      headers: eventHeaders(row, spans[index]?.traceparent),
    }));
    try {
      await withSpan(
        "outbox relay batch",
        { attributes: { "messaging.batch.message_count": rows.length } },
        () => producer.send(messages),
      );
    } finally {
      for (const { span } of spans) span.end();
    }
  }

  async #connectedProducer(): Promise<MessageProducer> {
    if (!this.#producer) {
      const producer = this.#options.createProducer();
      await producer.connect();
      this.#producer = producer;
    }
    return this.#producer;
  }

  async #resetProducer(): Promise<void> {
    const producer = this.#producer;
    this.#producer = undefined;
    await producer?.disconnect().catch(() => {});
  }

  async #release(): Promise<void> {
    await this.#resetProducer();
    const client = this.#client;
    this.#client = undefined;
    if (client) {
      await client.query("select pg_advisory_unlock(hashtext('okr-outbox-relay'))").catch(() => {});
      client.release();
    }
  }

  #wakeUp(): void {
    if (this.#wake) this.#wake();
    else this.#wokenEarly = true;
  }

  #sleep(ms: number): Promise<void> {
    if (this.#wokenEarly) {
      this.#wokenEarly = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#wake = done;
    });
  }
}
