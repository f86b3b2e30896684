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

export interface ConsumerRunOptions {
  /** Called per message, in order per partition; the offset is committed after it resolves. */
  eachMessage(message: IncomingMessage): Promise<void>;
  partitionsConsumedConcurrently?: number;
}

export interface MessageConsumer {
  connect(): Promise<void>;
  subscribe(topics: string[], options?: { fromBeginning?: boolean }): Promise<void>;
  run(options: ConsumerRunOptions): Promise<void>;
  disconnect(): Promise<void>;
}

export interface MessageBus {
  producer(options?: { idempotent?: boolean }): MessageProducer;
  consumer(groupId: string): MessageConsumer;
  ensureTopics(topics: string[], options?: { partitions?: number }): Promise<void>;
}
