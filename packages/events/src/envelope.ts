import { type Static, type TSchema, Type } from "typebox";
import { uuidv7 } from "./ids.ts";

/**
 * CloudEvents 1.0 (structured JSON mode) with three extension attributes: `tenant` (the organization
 * every event belongs to), `traceparent` (W3C Trace Context, from the CloudEvents distributed-tracing
 * extension) and `partitionkey` (the CloudEvents partitioning extension: the Kafka message key).
 */
export const EnvelopeAttributesSchema = Type.Object(
  {
    specversion: Type.Literal("1.0"),
    id: Type.String({ minLength: 1, maxLength: 200 }),
    source: Type.String({ minLength: 1, maxLength: 200 }),
    type: Type.String({ pattern: "^okr(\\.[a-z0-9-]+)+\\.v[0-9]+$" }),
    subject: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    time: Type.String({ format: "date-time" }),
    datacontenttype: Type.Literal("application/json"),
    dataschema: Type.Optional(Type.String()),
    tenant: Type.String({ minLength: 1, maxLength: 200 }),
    traceparent: Type.Optional(
      Type.String({ pattern: "^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$" }),
    ),
    partitionkey: Type.String({ minLength: 1, maxLength: 200 }),
  },
  { additionalProperties: false },
);

export type EnvelopeAttributes = Static<typeof EnvelopeAttributesSchema>;

export interface EventEnvelope<Data = unknown> extends EnvelopeAttributes {
  data: Data;
}

export const envelopeSchema = <T extends TSchema>(data: T) =>
  Type.Object({ ...EnvelopeAttributesSchema.properties, data }, { additionalProperties: false });

/** Event ids are time-ordered (UUIDv7): the outbox's primary key then grows at its right edge. */
export function newEventId(): string {
  return uuidv7();
}
