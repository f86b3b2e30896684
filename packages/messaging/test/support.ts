import { randomUUID } from "node:crypto";
import { createTestDatabase, type TestDatabase } from "@okr/database/testing";
import { uniqueName } from "@okr/endpoints";
import { defineEvent, type EventEnvelope, EventRegistry } from "@okr/events";
import { type PrivatePostgres, startPrivatePostgres } from "@okr/native-infra/private-postgres";
import type pg from "pg";
import { Type } from "typebox";
import { afterAll, beforeAll } from "vitest";
import { MESSAGING_TABLES_SQL, type PgTransaction, publishEvent } from "../src/index.ts";
import { collectMessages } from "../src/testing.ts";

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

type NoteCreated = ReturnType<typeof noteEvents>["NoteCreated"];

/** Writes a note and its event in the caller's transaction, as a service changes state; returns its id. */
export async function insertNote(
  tx: PgTransaction,
  NoteCreated: NoteCreated,
  body: string,
  tenant: string,
  noteId: string = randomUUID(),
) {
  await tx.client.query("insert into notes (id, body) values ($1, $2)", [noteId, body]);
  await publishEvent(tx, NoteCreated, { noteId, body }, { tenant });
  return noteId;
}

/** How many events wait in the outbox of `pool`'s database. */
export const outboxCount = async (pool: pg.Pool) =>
  Number((await pool.query("select count(*) from outbox_events")).rows[0].count);

/** A note event as a raw Kafka message keyed by its note. */
export const noteMessage = (event: EventEnvelope<{ noteId: string }>) => ({
  key: event.data.noteId,
  value: JSON.stringify(event),
});

/** How many of the notes of `events` were applied, and the most applications any of them got (1: each once). */
export async function appliedNotes(pool: pg.Pool, events: EventEnvelope<{ noteId: string }>[]) {
  const { rows } = await pool.query<{ notes: number; most: number | null }>(
    "select count(*)::int as notes, max(applications) as most from applied_notes where id = any($1)",
    [events.map((event) => event.data.noteId)],
  );
  return rows[0]!;
}

/**
 * A private Postgres server (a fault test restarts it) with a notes database, started before the file's
 * tests and stopped after them.
 */
export function privateNotesDatabase(name: string) {
  const notes = {} as { server: PrivatePostgres; db: TestDatabase };
  beforeAll(async () => {
    notes.server = await startPrivatePostgres(name);
    notes.db = await notesDatabase(notes.server.url("postgres"));
  }, 120_000);
  afterAll(async () => {
    await notes.db?.pool.end().catch(() => {});
    await notes.server?.stop();
  });
  return notes;
}

/** The keys of the messages `collectMessages` reads from `topic` (each message's key, in arrival order). */
export async function messageKeys(topic: string, options: Parameters<typeof collectMessages>[1]) {
  return (await collectMessages(topic, options)).map((message) => message.key);
}

/** Runs `check` while `worker` (a consumer, a relay) runs, and stops the worker however `check` ends. */
export async function whileRunning(
  worker: { start(): Promise<void> | void; stop(): Promise<void> },
  check: () => Promise<void>,
) {
  await worker.start();
  try {
    await check();
  } finally {
    await worker.stop();
  }
}
