import { randomUUID } from "node:crypto";
import { isDatabaseUnavailable } from "@okr/database";
import { waitFor } from "@okr/endpoints";
import { describe, expect, it } from "vitest";
import { OutboxRelay, pgTransaction } from "../src/index.ts";
import { testBus } from "../src/testing.ts";
import {
  insertNote,
  messageKeys,
  noteEvents,
  outboxCount as outboxCountOf,
  privateNotesDatabase,
} from "./support.ts";

const tenant = "22222222-2222-4222-8222-222222222222";
const notes = privateNotesDatabase("relay-restart-test");

/** Commits one note and its event; retried while the server is still coming back (the writer's concern). */
async function createNote(NoteCreated: ReturnType<typeof noteEvents>["NoteCreated"], body: string) {
  const noteId = randomUUID();
  await waitFor(`note ${body} committed`, async () => {
    try {
      await pgTransaction(notes.db.pool, (tx) => insertNote(tx, NoteCreated, body, tenant, noteId));
      return true;
    } catch (error) {
      if (isDatabaseUnavailable(error)) return false;
      throw error;
    }
  });
  return noteId;
}

const outboxCount = () => outboxCountOf(notes.db.pool);

describe("outbox relay across a Postgres restart", () => {
  it("elects itself again on a fresh connection and relays what was written after the restart, each event once", async () => {
    const { NoteCreated } = noteEvents();
    const bus = testBus();
    await bus.ensureTopics([NoteCreated.topic]);
    const warnings: string[] = [];
    const relay = new OutboxRelay({
      pool: notes.db.pool,
      createProducer: () => bus.producer(),
      log: (level, message) => {
        if (level !== "info") warnings.push(message);
      },
    });
    relay.start();
    try {
      const before = [];
      for (let i = 0; i < 5; i++) before.push(await createNote(NoteCreated, `before #${i}`));
      await waitFor("the first notes relayed", () => relay.stats.published === 5, 30_000);

      // Every connection dies at once, the relay's leader connection (lock and LISTEN) with them.
      await notes.server.restart({ mode: "immediate" });

      const after = [];
      for (let i = 0; i < 5; i++) after.push(await createNote(NoteCreated, `after #${i}`));
      const keys = await messageKeys(NoteCreated.topic, {
        count: 10,
        timeoutMs: 30_000,
        bus,
        settleMs: 1000,
      });
      expect(new Set(keys)).toEqual(new Set([...before, ...after]));
      expect(keys).toHaveLength(10);
      expect(await outboxCount()).toBe(0);
      // It noticed the lost connection rather than having been spared by luck.
      expect(warnings.some((message) => /lost its database connection|terminat/i.test(message))).toBe(true);
    } finally {
      await relay.stop();
    }
  }, 120_000);
});
