export type {
  ConsumerRunOptions,
  IncomingMessage,
  MessageBus,
  MessageConsumer,
  MessageProducer,
  OutgoingMessage,
} from "./ports.ts";
export { createKafkaBus, type KafkaBusOptions } from "./kafka.ts";
export { OUTBOX_TABLE, type PendingEvent, publishEvent, publishEvents, type SqlExecutor } from "./outbox.ts";
export { OutboxRelay, type OutboxRelayOptions } from "./relay.ts";
export { EventConsumer, type EventConsumerOptions, PoisonEventError, PROCESSED_EVENTS_TABLE } from "./consumer.ts";
export { HEADER, deadLetterTopic, eventHeaders } from "./headers.ts";
export { pgExecutor, pgTransaction } from "./pg.ts";
export { MESSAGING_TABLES_SQL } from "./schema.ts";
