import { randomUUID } from "node:crypto";
import { createEvent } from "@okr/events";
import { describe, expect, it } from "vitest";
import { envelopeMessage, HEADER } from "../src/index.ts";
import { noteEvents } from "./support.ts";

describe("an event as a Kafka message", () => {
  const { NoteCreated } = noteEvents();
  const noteId = randomUUID();
  const tenant = randomUUID();

  it("carries the whole envelope, keyed by its partition key, with the CloudEvents headers", () => {
    const envelope = createEvent(NoteCreated, { noteId, body: "hello" }, { tenant });
    const message = envelopeMessage(NoteCreated.topic, envelope);
    expect(message).toEqual({
      topic: NoteCreated.topic,
      key: noteId,
      value: JSON.stringify(envelope),
      headers: {
        [HEADER.contentType]: "application/cloudevents+json; charset=UTF-8",
        [HEADER.id]: envelope.id,
        [HEADER.type]: "okr.test-note.created.v1",
        [HEADER.source]: envelope.source,
        [HEADER.tenant]: tenant,
      },
    });
  });

  it("adds the publisher's traceparent when it traces", () => {
    const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    const envelope = createEvent(NoteCreated, { noteId, body: "hello" }, { tenant, traceparent });
    expect(envelopeMessage("elsewhere", envelope, traceparent)).toMatchObject({
      topic: "elsewhere",
      headers: { [HEADER.traceparent]: traceparent },
    });
  });
});
