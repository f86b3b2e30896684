export {
  EventConsumer,
  type EventConsumerOptions,
  PoisonEventError,
  PROCESSED_EVENTS_TABLE,
} from "./consumer.ts";
export { deadLetterTopic, envelopeMessage, eventHeaders, HEADER } from "./headers.ts";
export { createKafkaBus, type KafkaBusOptions, silenceKafkajsNegativeTimeoutWarning } from "./kafka.ts";
export {
  OUTBOX_TABLE,
  type PendingEvent,
  publishEvent,
  publishEvents,
} from "./outbox.ts";
export { type PgTransaction, pgTransaction } from "./pg.ts";
export type * from "./ports.ts";
export { DEFAULT_RELAY_BATCH_SIZE, OutboxRelay, type OutboxRelayOptions } from "./relay.ts";
export {
  errorMessage,
  isRetriableKafkaError,
  type RetryUntilOptions,
  retryUntil,
  seenWithin,
} from "./retry.ts";
export { MESSAGING_TABLES_SQL } from "./schema.ts";
