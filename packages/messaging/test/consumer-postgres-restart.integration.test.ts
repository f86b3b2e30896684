import { randomUUID } from "node:crypto";
import type { SqlRunner } from "@okr/database";
import { uniqueName, waitFor } from "@okr/endpoints";
import { createEvent, type EventEnvelope } from "@okr/events";
import { describe, expect, it } from "vitest";
import { EventConsumer, envelopeMessage, pgTransaction } from "../src/index.ts";
import { testBus } from "../src/testing.ts";
import { noteEvents, privateNotesDatabase } from "./support.ts";

const tenant = "44444444-4444-4444-8444-444444444444";
const bus = testBus();
const notes = privateNotesDatabase("consumer-restart-test");

type Mode = "per message" | "batch";

/** Few attempts and short waits: a consumer that took the outage for a failing event would dead-letter at once. */
function notesConsumer(registry: ReturnType<typeof noteEvents>["registry"], mode: Mode) {
  const apply = async (tx: SqlRunner, events: EventEnvelope[]) => {
    await tx.query(
      `insert into applied_notes (id, body)
       select (n->>'noteId')::uuid, n->>'body' from jsonb_array_elements($1::jsonb) n
       on conflict (id) do update set applications = applied_notes.applications + 1`,
      [JSON.stringify(events.map((event) => event.data))],
    );
  };
  return new EventConsumer({
    bus,
    groupId: uniqueName("notes-restart"),
    registry,
    retryBackoffMs: 20,
    maxAttempts: 3,
    transaction: (work) => pgTransaction(notes.db.pool, work),
    ...(mode === "batch"
      ? { handleBatch: (events, tx) => apply(tx, events) }
      : { handle: (event, tx) => apply(tx, [event]) }),
  });
}

async function produce(topic: string, events: EventEnvelope[]) {
  const producer = bus.producer();
  await producer.connect();
  await producer.send(events.map((event) => envelopeMessage(topic, event)));
  await producer.disconnect();
}

describe.each<Mode>(["per message", "batch"])("a consumer (%s) across a Postgres restart", (mode) => {
  it("waits for the database instead of dead-lettering, then applies every event once", async () => {
    const { NoteCreated, registry } = noteEvents();
    await bus.ensureTopics([NoteCreated.topic]);
    const note = (body: string) => createEvent(NoteCreated, { noteId: randomUUID(), body }, { tenant });
    const consumer = notesConsumer(registry, mode);
    await consumer.start();
    try {
      const first = note("before the restart");
      await produce(NoteCreated.topic, [first]);
      await waitFor("the consumer to apply the first event", () => consumer.stats.applied === 1, 60_000);

      // The events arrive while every connection is dead and the server is recovering.
      const restarting = notes.server.restart({ mode: "immediate" });
      const during = Array.from({ length: 20 }, (_, i) => note(`during the restart #${i}`));
      await produce(NoteCreated.topic, during);
      await restarting;

      await waitFor("every event applied", () => consumer.stats.applied === 21, 30_000);
      expect(consumer.stats.deadLettered).toBe(0);
      const { rows } = await notes.db.pool.query<{ applications: number }>(
        "select applications from applied_notes where id = any($1::uuid[])",
        [[first, ...during].map((event) => (event.data as { noteId: string }).noteId)],
      );
      expect(rows).toHaveLength(21);
      expect(rows.every((row) => row.applications === 1)).toBe(true);
    } finally {
      await consumer.stop();
    }
  }, 120_000);
});
