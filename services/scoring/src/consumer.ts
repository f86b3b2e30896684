import { setTimeout as sleep } from "node:timers/promises";
import { CheckInRecorded, type EventEnvelope, EventRegistry, goalsEvents } from "@okr/events";
import { EventConsumer, type PgTransaction, pgTransaction } from "@okr/messaging";
import type { BackgroundWork } from "@okr/service-kit";
import { currentTraceparent } from "@okr/telemetry";
import type pg from "pg";
import { RollUpThread } from "./roll-up-thread.ts";
import { applyGoalsEvents, tenantsToRollUp } from "./scorer/index.ts";

export interface ScoringConsumerOptions {
  /** Kafka consumer group (one per deployment; replicas share it). */
  groupId: string;
  /** Defaults to every goals topic. */
  topics?: string[];
  maxBatchSize?: number;
  partitionsConsumedConcurrently?: number;
  sessionTimeoutMs?: number;
  /**
   * Called with a batch's events once all they change is committed: their KRs' scores and the roll-up of
   * the objectives above them (benchmarks measure latency here).
   */
  onCommitted?: (events: EventEnvelope[]) => void;
  log?: (level: "info" | "warn" | "error", message: string) => void;
}

type ScoringTx = PgTransaction & { applied: EventEnvelope[] };

/**
 * Consumes goals events in batches into the read model and keeps scores current. Each batch commits its
 * check-ins and KR scores with a roll-up request (applyGoalsEvents); the roll-up (objective scores and
 * the score events) follows in a transaction of its own (rollUpObjectives), run by a RollUps loop on a
 * thread of its own (RollUpThread) beside the next batch.
 */
export function createScoringConsumer(
  pool: pg.Pool,
  bus: ConstructorParameters<typeof EventConsumer>[0]["bus"],
  options: ScoringConsumerOptions,
): BackgroundWork & { consumer: EventConsumer<ScoringTx> } {
  const rollUps = new RollUps(pool, options);
  const consumer = new EventConsumer<ScoringTx>({
    bus,
    groupId: options.groupId,
    registry: new EventRegistry(goalsEvents),
    topics: options.topics,
    maxBatchSize: options.maxBatchSize ?? 1000,
    // A check-in is stored under its id with `on conflict do nothing`, and only a stored one re-scores.
    deduplicatesItself: (event) => event.type === CheckInRecorded.type,
    // Partitions fetched together commit in one transaction (a tenant's batches serialize anyway).
    groupCommit: true,
    partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 8,
    sessionTimeoutMs: options.sessionTimeoutMs,
    log: options.log,
    transaction: async (work) => {
      const applied: EventEnvelope[] = [];
      const result = await pgTransaction(pool, (tx) => work({ ...tx, applied }));
      if (applied.length > 0) rollUps.request(applied);
      return result;
    },
    handleBatch: async (events, tx) => {
      await applyGoalsEvents(tx.client, events);
      tx.applied.push(...events);
    },
  });
  return {
    consumer,
    start: async () => {
      rollUps.start();
      // Roll-ups a crash left behind: their batches' offsets are committed, so nothing redelivers them.
      rollUps.requestTenants(await tenantsToRollUp(pool));
      await consumer.start();
    },
    stop: async () => {
      await consumer.stop();
      await rollUps.stop();
    },
  };
}

/**
 * Runs the objectives' roll-ups that committed batches requested, one transaction at a time per process
 * on the roll-up thread, each covering every request committed before it began (so a burst of batches
 * costs one roll-up). A failed roll-up leaves its requests in the table and is retried with backoff.
 */
class RollUps {
  /** Events whose batch committed, by tenant, until a roll-up of that tenant commits after them. */
  readonly #waiting = new Map<string, EventEnvelope[]>();
  readonly #thread: RollUpThread;
  #running: Promise<void> | undefined;
  #stopping = false;
  #failedWhileStopping = false;

  readonly #options: Pick<ScoringConsumerOptions, "onCommitted" | "log">;

  constructor(pool: pg.Pool, options: Pick<ScoringConsumerOptions, "onCommitted" | "log">) {
    const { connectionString, application_name } = pool.options;
    if (!connectionString) throw new Error("the scoring consumer's pool needs a connectionString");
    this.#thread = new RollUpThread({
      connectionString,
      applicationName: `${application_name ?? "okr-scoring"}-roll-up`,
    });
    this.#options = options;
  }

  start(): void {
    this.#thread.start();
  }

  /** After a batch committed: roll up its tenants. */
  request(events: EventEnvelope[]): void {
    // The events are kept only for onCommitted; without it a tenant's entry stays empty.
    const keep = this.#options.onCommitted !== undefined;
    for (const event of events) {
      const list = this.#waiting.get(event.tenant);
      if (!list) this.#waiting.set(event.tenant, keep ? [event] : []);
      else if (keep) list.push(event);
    }
    this.#kick();
  }

  requestTenants(tenants: string[]): void {
    for (const tenant of tenants) if (!this.#waiting.has(tenant)) this.#waiting.set(tenant, []);
    this.#kick();
  }

  /**
   * Resolves once every requested roll-up has committed, or, after a failure, once retrying stopped:
   * the failed requests stay in the table for the next consumer to start.
   */
  async stop(): Promise<void> {
    this.#stopping = true;
    while (this.#running) await this.#running;
    await this.#thread.close();
  }

  #kick(): void {
    if (this.#running || this.#waiting.size === 0 || this.#failedWhileStopping) return;
    this.#running = this.#drain().finally(() => {
      this.#running = undefined;
      this.#kick();
    });
  }

  async #drain(): Promise<void> {
    let failures = 0;
    while (this.#waiting.size > 0) {
      const [tenant, events] = this.#waiting.entries().next().value as [string, EventEnvelope[]];
      this.#waiting.delete(tenant);
      try {
        await this.#thread.run(tenant, currentTraceparent());
        failures = 0;
        if (events.length > 0) this.#options.onCommitted?.(events);
      } catch (error) {
        failures += 1;
        this.#options.log?.("error", `roll-up of tenant ${tenant} failed (retrying): ${String(error)}`);
        const later = this.#waiting.get(tenant) ?? [];
        this.#waiting.set(tenant, [...events, ...later]);
        if (this.#stopping) {
          this.#failedWhileStopping = true;
          return;
        }
        await sleep(Math.min(5_000, 100 * 2 ** failures));
      }
    }
  }
}
