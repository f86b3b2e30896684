-- Platform messaging tables that every service database carries (outbox, processed events, idempotency keys).
-- Each service's first migration is a verbatim copy of this file; a messaging test keeps them equal.

-- Transactional outbox: written in the same transaction as the state change, relayed to Kafka, then deleted.
CREATE TABLE "outbox_events" (
    "id" UUID NOT NULL,
    "seq" BIGSERIAL NOT NULL,
    "topic" TEXT NOT NULL,
    "partition_key" TEXT NOT NULL,
    "event_type" TEXT NOT NULL,
    "tenant" TEXT NOT NULL,
    "envelope" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "outbox_events_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "outbox_events_seq_key" ON "outbox_events"("seq");

-- Wakes the relay right after commit instead of waiting for its poll (one notification per statement).
CREATE FUNCTION "okr_outbox_notify"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('okr_outbox', '');
    RETURN NULL;
END
$$;
CREATE TRIGGER "outbox_events_notify" AFTER INSERT ON "outbox_events"
    FOR EACH STATEMENT EXECUTE FUNCTION "okr_outbox_notify"();

-- Idempotent consumption: an event id is recorded per consumer group with the handler's writes.
CREATE TABLE "processed_events" (
    "consumer_group" TEXT NOT NULL,
    "event_id" TEXT NOT NULL,
    "processed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "processed_events_pkey" PRIMARY KEY ("consumer_group", "event_id")
);
CREATE INDEX "processed_events_processed_at_idx" ON "processed_events"("processed_at");

-- Idempotency-Key of HTTP writes: the stored response is replayed when a client retries.
CREATE TABLE "idempotency_keys" (
    "tenant_id" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "request_hash" TEXT NOT NULL,
    "status_code" INTEGER NOT NULL,
    "response_body" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "idempotency_keys_pkey" PRIMARY KEY ("tenant_id", "key")
);
