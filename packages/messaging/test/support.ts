import { createTestDatabase } from "@okr/database/testing";
import { uniqueName } from "@okr/endpoints";
import { defineEvent, EventRegistry } from "@okr/events";
import { Type } from "typebox";
import { MESSAGING_TABLES_SQL } from "../src/index.ts";

/** An event type on a topic of the test's own, so parallel test files never read each other's messages. */
export function noteEvents() {
  const NoteCreated = defineEvent({
    type: "okr.test-note.created.v1",
    topic: uniqueName("okr.test.notes"),
    producer: "messaging-test",
    summary: "test event",
    schema: Type.Object({ noteId: Type.String({ format: "uuid" }), body: Type.String({ maxLength: 200 }) }),
    partitionKey: (data) => data.noteId,
  });
  return { NoteCreated, registry: new EventRegistry([NoteCreated]) };
}

/**
 * A fresh database with the messaging tables and a `notes` table standing for a service's state, on the
 * shared test server or on `serverUrl`'s.
 */
export function notesDatabase(serverUrl?: string) {
  return createTestDatabase({
    serverUrl,
    sql: `${MESSAGING_TABLES_SQL}
      create table notes (id uuid primary key, body text not null);
      create table applied_notes (id uuid primary key, body text not null, applications int not null default 1);`,
  });
}
