import { CheckInRecorded, type EventEnvelope, EventRegistry, goalsEvents } from "@okr/events";
import { EventConsumer, pgTransaction, type SqlExecutor } from "@okr/messaging";
import type { BackgroundWork } from "@okr/service-kit";
import type pg from "pg";
import { applyGoalsEvents } from "./scorer.ts";

export interface ScoringConsumerOptions {
  /** Kafka consumer group (one per deployment; replicas share it). */
  groupId: string;
  /** Defaults to every goals topic. */
  topics?: string[];
  maxBatchSize?: number;
  partitionsConsumedConcurrently?: number;
  sessionTimeoutMs?: number;
  /** Called after each committed batch with the events it applied (benchmarks measure latency here). */
  onCommitted?: (events: EventEnvelope[]) => void;
  log?: (level: "info" | "warn" | "error", message: string) => void;
}

type ScoringTx = SqlExecutor & { client: pg.PoolClient; applied: EventEnvelope[] };

/** Consumes goals events in batches into the read model and keeps scores current (see applyGoalsEvents). */
export function createScoringConsumer(
  pool: pg.Pool,
  bus: ConstructorParameters<typeof EventConsumer>[0]["bus"],
  options: ScoringConsumerOptions,
): BackgroundWork & { consumer: EventConsumer<ScoringTx> } {
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
      if (applied.length > 0) options.onCommitted?.(applied);
      return result;
    },
    handleBatch: async (events, tx) => {
      await applyGoalsEvents(tx.client, tx, events);
      tx.applied.push(...events);
    },
  });
  return { consumer, start: () => consumer.start(), stop: () => consumer.stop() };
}
