/**
 * The small interface the platform's messaging code is written against; kafkajs is one adapter
 * (kafka.ts). Swapping the client means implementing these three types, nothing else.
 */
export interface OutgoingMessage {
  topic: string;
  key: string;
  value: string;
  headers: Record<string, string>;
}

export interface IncomingMessage {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

export interface MessageProducer {
  connect(): Promise<void>;
  /** Resolves once the broker acknowledged every message (acks=all). */
  send(messages: OutgoingMessage[]): Promise<void>;
  disconnect(): Promise<void>;
}

/** The messages of one partition fetched together, oldest first. */
export interface IncomingBatch {
  topic: string;
  partition: number;
  messages: IncomingMessage[];
  /** Marks everything up to and including `offset` as processed (committed with the next commit). */
  resolveOffset(offset: string): void;
  /** Tells the group coordinator the consumer is alive during a long batch. */
  heartbeat(): Promise<void>;
  /** False once the consumer is stopping or the batch became stale after a rebalance: stop early. */
  isActive(): boolean;
}

/** Exactly one of `eachMessage` (one message at a time) or `eachBatch` (a partition's fetched batch). */
export type ConsumerRunOptions = {
  partitionsConsumedConcurrently?: number;
} & (
  | {
      /** Called per message, in order per partition; the offset is committed after it resolves. */
      eachMessage(message: IncomingMessage): Promise<void>;
      eachBatch?: undefined;
    }
  | {
      /**
       * Called per fetched batch, in order per partition. Offsets the handler resolved are committed;
       * once it resolves, the whole batch counts as processed. A throw redelivers what was not resolved.
       */
      eachBatch(batch: IncomingBatch): Promise<void>;
      eachMessage?: undefined;
    }
);

export interface MessageConsumer {
  connect(): Promise<void>;
  subscribe(topics: string[], options?: { fromBeginning?: boolean }): Promise<void>;
  run(options: ConsumerRunOptions): Promise<void>;
  disconnect(): Promise<void>;
}

export interface MessageBus {
  producer(options?: { idempotent?: boolean }): MessageProducer;
  /** `sessionTimeoutMs`: how soon a consumer that died without leaving is replaced (default 30 s). */
  consumer(groupId: string, options?: { sessionTimeoutMs?: number }): MessageConsumer;
  ensureTopics(topics: string[], options?: { partitions?: number }): Promise<void>;
}
