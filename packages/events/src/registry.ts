import type { Static, TObject } from "typebox";
import { Compile, type Validator } from "typebox/compile";
import { EnvelopeAttributesSchema, type EventEnvelope, newEventId } from "./envelope.ts";
import "./formats.ts";

/** One versioned event type: its topic, what orders it (the partition key) and its payload schema. */
export interface EventDefinition<Type extends string = string, Schema extends TObject = TObject> {
  type: Type;
  topic: string;
  /** Which service publishes it (`source` of the envelope is `/okr/<producer>`). */
  producer: string;
  summary: string;
  schema: Schema;
  partitionKey: (data: Static<Schema>) => string;
  subject?: (data: Static<Schema>) => string;
}

export function defineEvent<const Type extends string, Schema extends TObject>(
  definition: EventDefinition<Type, Schema>,
): EventDefinition<Type, Schema> {
  if (!/^okr(\.[a-z0-9-]+)+\.v[0-9]+$/.test(definition.type)) {
    throw new Error(`event type ${definition.type} must look like okr.<noun>.<verb>.v<version>`);
  }
  return definition;
}

export type EventData<D> = D extends EventDefinition<string, infer S> ? Static<S> : never;

export interface EventContext {
  tenant: string;
  traceparent?: string;
  /** Defaults to now; inputs from the past (imports, replays) pass their own. */
  time?: Date;
  id?: string;
}

/** Validates the payload and wraps it in the envelope; throws InvalidEventError on a payload that breaks the schema. */
export function createEvent<S extends TObject>(
  definition: EventDefinition<string, S>,
  data: Static<S>,
  context: EventContext,
): EventEnvelope<Static<S>> {
  assertValid(definition, data);
  const envelope: EventEnvelope<Static<S>> = {
    specversion: "1.0",
    id: context.id ?? newEventId(),
    source: `/okr/${definition.producer}`,
    type: definition.type,
    time: (context.time ?? new Date()).toISOString(),
    datacontenttype: "application/json",
    dataschema: schemaUrn(definition.type),
    tenant: context.tenant,
    partitionkey: definition.partitionKey(data),
    data,
  };
  const subject = definition.subject?.(data);
  if (subject) envelope.subject = subject;
  if (context.traceparent) envelope.traceparent = context.traceparent;
  return envelope;
}

export function schemaUrn(type: string): string {
  return `urn:okr-platform:event:${type}`;
}

/** `unknown-type`: a well-formed event this reader does not know (consumers skip those, per CloudEvents). */
export type InvalidEventReason = "malformed" | "unknown-type" | "invalid-payload";

export class InvalidEventError extends Error {
  override name = "InvalidEventError";
  readonly problems: string[];
  readonly reason: InvalidEventReason;
  constructor(what: string, problems: string[], reason: InvalidEventReason = "malformed") {
    super(`${what}: ${problems.join("; ")}`);
    this.problems = problems;
    this.reason = reason;
  }
}

// Compiled once per schema: a compiled check is much cheaper than walking the schema each time, which
// matters on bulk paths (many events per request or batch).
const validators = new WeakMap<TObject, Validator>();

function problemsOf(schema: TObject, value: unknown): string[] {
  let validator = validators.get(schema);
  if (!validator) {
    validator = Compile(schema);
    validators.set(schema, validator);
  }
  if (validator.Check(value)) return [];
  return validator.Errors(value).map((error) => `${error.instancePath || "/"} ${error.message}`);
}

function assertValid(definition: EventDefinition, data: unknown): void {
  const problems = problemsOf(definition.schema, data);
  if (problems.length > 0)
    throw new InvalidEventError(`invalid ${definition.type} payload`, problems, "invalid-payload");
}

/** A registry of the event types a consumer understands, used to parse what arrives from Kafka. */
export class EventRegistry {
  readonly #byType = new Map<string, EventDefinition>();

  constructor(definitions: Iterable<EventDefinition>) {
    for (const definition of definitions) {
      if (this.#byType.has(definition.type))
        throw new Error(`event type ${definition.type} is defined twice`);
      this.#byType.set(definition.type, definition);
    }
  }

  get(type: string): EventDefinition | undefined {
    return this.#byType.get(type);
  }

  all(): EventDefinition[] {
    return [...this.#byType.values()];
  }

  topics(): string[] {
    return [...new Set(this.all().map((definition) => definition.topic))].sort();
  }

  /**
   * Parses raw bytes from Kafka into a validated envelope. Anything malformed throws InvalidEventError:
   * the consumer sends such poison messages to the dead-letter topic.
   */
  parse(raw: Buffer | string | null): EventEnvelope {
    if (raw === null) throw new InvalidEventError("empty message", ["the message has no value"]);
    let value: unknown;
    try {
      value = JSON.parse(raw.toString());
    } catch (error) {
      throw new InvalidEventError("message is not JSON", [(error as Error).message]);
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new InvalidEventError("message is not a CloudEvent", ["expected a JSON object"]);
    }
    const { data, ...attributes } = value as Record<string, unknown>;
    const attributeProblems = problemsOf(EnvelopeAttributesSchema, attributes);
    if (attributeProblems.length > 0)
      throw new InvalidEventError("invalid CloudEvent attributes", attributeProblems);
    const envelope = value as EventEnvelope;
    const definition = this.#byType.get(envelope.type);
    if (!definition)
      throw new InvalidEventError(
        "unknown event type",
        [`${envelope.type} is not in this registry`],
        "unknown-type",
      );
    assertValid(definition, data);
    return envelope;
  }
}
