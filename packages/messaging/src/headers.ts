import type { EnvelopeAttributes, EventEnvelope } from "@okr/events";
import type { OutgoingMessage } from "./ports.ts";

/** CloudEvents Kafka protocol binding header names (structured mode carries the event in the value). */
export const HEADER = {
  contentType: "content-type",
  id: "ce_id",
  type: "ce_type",
  source: "ce_source",
  tenant: "ce_tenant",
  traceparent: "traceparent",
  deadLetter: {
    error: "dlq_error",
    errorType: "dlq_error_type",
    sourceTopic: "dlq_source_topic",
    sourcePartition: "dlq_source_partition",
    sourceOffset: "dlq_source_offset",
    consumerGroup: "dlq_consumer_group",
    failedAt: "dlq_failed_at",
    attempts: "dlq_attempts",
  },
} as const;

export function eventHeaders(
  envelope: Pick<EnvelopeAttributes, "id" | "type" | "source" | "tenant">,
  traceparent: string | undefined,
): Record<string, string> {
  const headers: Record<string, string> = {
    [HEADER.contentType]: "application/cloudevents+json; charset=UTF-8",
    [HEADER.id]: envelope.id,
    [HEADER.type]: envelope.type,
    [HEADER.source]: envelope.source,
    [HEADER.tenant]: envelope.tenant,
  };
  if (traceparent) headers[HEADER.traceparent] = traceparent;
  return headers;
}

/**
 * An event as a publisher puts it on Kafka: the whole envelope as the value (structured mode), keyed by
 * its partition key, with the CloudEvents headers and the publisher's `traceparent` when it traces.
 */
export function envelopeMessage(
  topic: string,
  envelope: EventEnvelope,
  traceparent?: string,
): OutgoingMessage {
  return {
    topic,
    key: envelope.partitionkey,
    value: JSON.stringify(envelope),
    headers: eventHeaders(envelope, traceparent),
  };
}

export const deadLetterTopic = (topic: string) => `${topic}.dlq`;
