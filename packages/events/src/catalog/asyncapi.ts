import { envelopeSchema, schemaUrn } from "../index.ts";
import type { EventDefinition } from "../registry.ts";

const messageName = (type: string) =>
  type
    .replace(/^okr\./, "")
    .split(/[.-]/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join("");
const channelName = (topic: string) => topic.replace(/^okr\./, "").replaceAll(/[.-]/g, "_");

/** JSON Schema without TypeBox's in-memory markers. */
const plain = (schema: unknown) => JSON.parse(JSON.stringify(schema)) as Record<string, unknown>;

/**
 * The machine-readable event catalog (AsyncAPI 3.0): one channel per Kafka topic, one message per
 * versioned event type with its full CloudEvents envelope schema, the partition key, and the producer.
 * A new service can be written against this document without reading our code.
 */
export function buildAsyncApiDocument(events: readonly EventDefinition[]): Record<string, unknown> {
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};
  const sorted = [...events].sort((a, b) => a.type.localeCompare(b.type));
  for (const event of sorted) {
    const name = messageName(event.type);
    messages[name] = {
      name: event.type,
      title: name,
      summary: event.summary,
      contentType: "application/cloudevents+json",
      "x-producer": event.producer,
      "x-dataschema": schemaUrn(event.type),
      payload: plain(envelopeSchema(event.schema)),
      bindings: {
        kafka: {
          key: { type: "string", description: "the envelope's partitionkey; ordering holds per key" },
          bindingVersion: "0.5.0",
        },
      },
    };
    const channel = channelName(event.topic);
    const existing = (channels[channel] as { messages: Record<string, unknown> } | undefined) ?? {
      address: event.topic,
      messages: {} as Record<string, unknown>,
    };
    existing.messages[name] = { $ref: `#/components/messages/${name}` };
    channels[channel] = existing;
    operations[`publish${name}`] = {
      action: "send",
      channel: { $ref: `#/channels/${channel}` },
      messages: [{ $ref: `#/channels/${channel}/messages/${name}` }],
      summary: `${event.producer} publishes ${event.type}`,
    };
  }
  return {
    asyncapi: "3.0.0",
    info: {
      title: "OKR platform events",
      version: "1.0.0",
      description:
        "Every event the OKR platform publishes on Kafka. Messages are CloudEvents 1.0 in structured JSON mode with the extensions tenant, traceparent and partitionkey. Type names carry their version (okr.<noun>.<verb>.v<N>); a breaking change adds a new version beside the old one. Poison messages are copied to <topic>.dlq with the error in headers.",
    },
    defaultContentType: "application/cloudevents+json",
    servers: {
      local: { host: "127.0.0.1:59092", protocol: "kafka", description: "the native development broker" },
    },
    channels,
    operations,
    components: { messages },
  };
}
