import { randomUUID } from "node:crypto";
import type { TestDatabase } from "@okr/database/testing";
import { uniqueName, waitFor } from "@okr/endpoints";
import { createEvent } from "@okr/events";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  deadLetterTopic,
  EventConsumer,
  eventHeaders,
  HEADER,
  PoisonEventError,
  pgTransaction,
} from "../src/index.ts";
import { collectMessages, testBus } from "../src/testing.ts";
import { appliedNotes, noteEvents, noteMessage, notesDatabase, whileRunning } from "./support.ts";

const tenant = "22222222-2222-4222-8222-222222222222";
let db: TestDatabase;
const bus = testBus();

beforeAll(async () => {
  db = await notesDatabase();
});
afterAll(() => db.drop());

/** A consumer that applies note events to `applied_notes`, counting applications per note. */
function notesConsumer(registry: ReturnType<typeof noteEvents>["registry"], onNote?: (body: string) => void) {
  return new EventConsumer({
    bus,
    groupId: uniqueName("notes-consumer"),
    registry,
    retryBackoffMs: 20,
    maxAttempts: 3,
    transaction: (work) => pgTransaction(db.pool, work),
    handle: async (event, tx) => {
      const { noteId, body } = event.data as { noteId: string; body: string };
      onNote?.(body);
      await tx.query(
        `insert into applied_notes (id, body) values ($1, $2)
         on conflict (id) do update set applications = applied_notes.applications + 1`,
        [noteId, body],
      );
    },
  });
}

async function produceRaw(
  topic: string,
  messages: { key: string; value: string; headers?: Record<string, string> }[],
) {
  const producer = bus.producer();
  await producer.connect();
  await producer.send(messages.map((message) => ({ topic, headers: {}, ...message })));
  await producer.disconnect();
}

const applications = async (noteId: string) =>
  (await db.pool.query("select applications from applied_notes where id = $1", [noteId])).rows[0]
    ?.applications as number | undefined;

describe("idempotent consumption", () => {
  it("applies an event delivered twice exactly once", async () => {
    const { NoteCreated, registry } = noteEvents();
    const noteId = randomUUID();
    const event = createEvent(NoteCreated, { noteId, body: "once" }, { tenant });
    const message = { key: noteId, value: JSON.stringify(event), headers: eventHeaders(event, undefined) };
    await bus.ensureTopics([NoteCreated.topic]);
    await produceRaw(NoteCreated.topic, [message, message]);

    const consumer = notesConsumer(registry);
    await whileRunning(consumer, async () => {
      // `received` counts a message when it arrives; wait for both outcomes, not just both arrivals.
      await waitFor("both deliveries", () => consumer.stats.applied + consumer.stats.duplicates === 2);
      expect(consumer.stats).toMatchObject({ applied: 1, duplicates: 1, deadLettered: 0 });
      expect(await applications(noteId)).toBe(1);
    });
  });
});

describe("dead-letter topic", () => {
  it("sends poison messages to <topic>.dlq with the error and keeps consuming", async () => {
    const { NoteCreated, registry } = noteEvents();
    const good = createEvent(NoteCreated, { noteId: randomUUID(), body: "after the poison" }, { tenant });
    const badPayload = {
      ...createEvent(NoteCreated, { noteId: randomUUID(), body: "x" }, { tenant }),
      data: { noteId: 42 },
    };
    await bus.ensureTopics([NoteCreated.topic]);
    await produceRaw(NoteCreated.topic, [
      { key: "a", value: "{this is not json" },
      { key: "b", value: JSON.stringify(badPayload) },
      { key: good.data.noteId, value: JSON.stringify(good) },
    ]);

    const consumer = notesConsumer(registry);
    await whileRunning(consumer, async () => {
      await waitFor("all three messages", () => consumer.stats.applied + consumer.stats.deadLettered === 3);
      expect(consumer.stats).toMatchObject({ applied: 1, deadLettered: 2 });
      expect(await applications(good.data.noteId)).toBe(1);
      const dead = await collectMessages(deadLetterTopic(NoteCreated.topic), { count: 2 });
      // Different keys land on different partitions: compare by key, not by arrival order.
      const byKey = new Map(dead.map((message) => [message.key, message]));
      expect([...byKey.keys()].sort()).toEqual(["a", "b"]);
      expect(byKey.get("a")?.value?.toString()).toBe("{this is not json");
      expect(byKey.get("a")?.headers[HEADER.deadLetter.error]).toMatch(/not JSON/);
      expect(byKey.get("b")?.headers[HEADER.deadLetter.error]).toMatch(/\/noteId must be string/);
      expect(byKey.get("b")?.headers[HEADER.deadLetter.sourceTopic]).toBe(NoteCreated.topic);
      expect(byKey.get("b")?.headers[HEADER.deadLetter.consumerGroup]).toMatch(/^notes-consumer-/);
    });
  });

  it("retries a transient handler failure in place, and dead-letters one that keeps failing", async () => {
    const { NoteCreated, registry } = noteEvents();
    const flaky = createEvent(NoteCreated, { noteId: randomUUID(), body: "flaky" }, { tenant });
    const broken = createEvent(NoteCreated, { noteId: randomUUID(), body: "broken" }, { tenant });
    const poison = createEvent(NoteCreated, { noteId: randomUUID(), body: "poison" }, { tenant });
    await bus.ensureTopics([NoteCreated.topic]);
    await produceRaw(NoteCreated.topic, [flaky, broken, poison].map(noteMessage));
    let flakyCalls = 0;
    let poisonCalls = 0;
    const consumer = notesConsumer(registry, (body) => {
      if (body === "flaky" && ++flakyCalls < 3) throw new Error("database hiccup");
      if (body === "broken") throw new Error("always fails");
      if (body === "poison") {
        poisonCalls++;
        throw new PoisonEventError("can never apply");
      }
    });
    await whileRunning(consumer, async () => {
      await waitFor(
        "the three events to settle",
        () => consumer.stats.applied + consumer.stats.deadLettered === 3,
      );
      expect(flakyCalls).toBe(3);
      expect(poisonCalls).toBe(1);
      expect(consumer.stats).toMatchObject({ applied: 1, deadLettered: 2 });
      expect(await applications(flaky.data.noteId)).toBe(1);
      expect(await applications(broken.data.noteId)).toBeUndefined();
      const dead = await collectMessages(deadLetterTopic(NoteCreated.topic), { count: 2 });
      const attemptsByKey = Object.fromEntries(
        dead.map((m) => [m.key, m.headers[HEADER.deadLetter.attempts]]),
      );
      expect(attemptsByKey).toEqual({ [broken.data.noteId]: "3", [poison.data.noteId]: "1" });
    });
  });
});

describe("batch mode", () => {
  /** A batch consumer that applies note events with one statement per batch and counts its transactions. */
  function batchNotesConsumer(
    registry: ReturnType<typeof noteEvents>["registry"],
    reject: (body: string) => Error | undefined = () => undefined,
    options: { groupCommit?: boolean; partitionsConsumedConcurrently?: number; groupId?: string } = {},
  ) {
    const batches: number[] = [];
    const consumer = new EventConsumer({
      bus,
      groupId: options.groupId ?? uniqueName("notes-batch-consumer"),
      registry,
      retryBackoffMs: 20,
      maxAttempts: 2,
      maxBatchSize: 100,
      ...options,
      transaction: (work) => pgTransaction(db.pool, work),
      handleBatch: async (events, tx) => {
        const notes = events.map((event) => event.data as { noteId: string; body: string });
        for (const note of notes) {
          const error = reject(note.body);
          if (error) throw error;
        }
        batches.push(notes.length);
        await tx.query(
          `insert into applied_notes (id, body) select * from unnest($1::uuid[], $2::text[])
           on conflict (id) do update set applications = applied_notes.applications + 1`,
          [notes.map((note) => note.noteId), notes.map((note) => note.body)],
        );
      },
    });
    return { consumer, batches };
  }

  it("applies many events per transaction, each exactly once, duplicates included", async () => {
    const { NoteCreated, registry } = noteEvents();
    const events = Array.from({ length: 250 }, (_, i) =>
      createEvent(NoteCreated, { noteId: randomUUID(), body: `note ${i}` }, { tenant }),
    );
    await bus.ensureTopics([NoteCreated.topic], { partitions: 1 });
    const messages = events.map(noteMessage);
    // Every event twice: inside the same batch, and again in a later one.
    await produceRaw(NoteCreated.topic, [...messages, messages[0]!, ...messages]);

    const { consumer, batches } = batchNotesConsumer(registry);
    await whileRunning(consumer, async () => {
      await waitFor("every delivery", () => consumer.stats.received === 501);
      expect(consumer.stats).toMatchObject({ applied: 250, duplicates: 251, deadLettered: 0 });
      expect(batches.reduce((sum, size) => sum + size, 0)).toBe(250);
      expect(batches.length).toBeLessThan(10);
      expect(await appliedNotes(db.pool, events)).toEqual({ notes: 250, most: 1 });
    });
  });

  it("dead-letters a poison event and a malformed message alone; the rest of the batch applies", async () => {
    const { NoteCreated, registry } = noteEvents();
    const good = Array.from({ length: 20 }, (_, i) =>
      createEvent(NoteCreated, { noteId: randomUUID(), body: `good ${i}` }, { tenant }),
    );
    const poison = createEvent(NoteCreated, { noteId: randomUUID(), body: "poison" }, { tenant });
    await bus.ensureTopics([NoteCreated.topic], { partitions: 1 });
    await produceRaw(NoteCreated.topic, [
      ...good.slice(0, 10).map(noteMessage),
      { key: poison.data.noteId, value: JSON.stringify(poison) },
      { key: "garbage", value: "{not json" },
      ...good.slice(10).map(noteMessage),
    ]);

    const { consumer } = batchNotesConsumer(registry, (body) =>
      body === "poison" ? new PoisonEventError("cannot apply poison") : undefined,
    );
    await whileRunning(consumer, async () => {
      await waitFor("all 22 messages", () => consumer.stats.applied + consumer.stats.deadLettered === 22);
      expect(consumer.stats).toMatchObject({ received: 22, applied: 20, deadLettered: 2 });
      expect((await appliedNotes(db.pool, good)).notes).toBe(20);
      const dead = await collectMessages(deadLetterTopic(NoteCreated.topic), { count: 2 });
      const errors = Object.fromEntries(dead.map((m) => [m.key, m.headers[HEADER.deadLetter.error]]));
      expect(errors[poison.data.noteId]).toBe("cannot apply poison");
      expect(errors["garbage"]).toMatch(/not JSON/);
    });
  });

  it("group commit: partitions consumed concurrently commit together, each event once", async () => {
    const { NoteCreated, registry } = noteEvents();
    const events = Array.from({ length: 90 }, (_, i) =>
      createEvent(NoteCreated, { noteId: randomUUID(), body: `note ${i}` }, { tenant }),
    );
    await bus.ensureTopics([NoteCreated.topic], { partitions: 3 });
    await produceRaw(NoteCreated.topic, events.map(noteMessage));
    const { consumer, batches } = batchNotesConsumer(registry, undefined, {
      groupCommit: true,
      partitionsConsumedConcurrently: 3,
    });
    await whileRunning(consumer, async () => {
      await waitFor("every event", () => consumer.stats.applied === 90);
      expect(consumer.stats).toMatchObject({ received: 90, duplicates: 0, deadLettered: 0 });
      // 90 events keyed over 3 partitions, each partition's chunk at most 100: without group commit
      // that is one transaction per partition; together, fewer.
      expect(batches.length).toBeLessThan(3);
      expect(await appliedNotes(db.pool, events)).toEqual({ notes: 90, most: 1 });
    });
  });

  it("commits the offsets of what it applied: the group's next consumer reads on from there", async () => {
    const { NoteCreated, registry } = noteEvents();
    const note = (body: string) => createEvent(NoteCreated, { noteId: randomUUID(), body }, { tenant });
    await bus.ensureTopics([NoteCreated.topic], { partitions: 3 });
    const groupId = uniqueName("notes-batch-offsets");
    const first = Array.from({ length: 60 }, (_, i) => note(`first ${i}`));
    await produceRaw(NoteCreated.topic, first.map(noteMessage));
    const before = batchNotesConsumer(registry, undefined, { groupId, partitionsConsumedConcurrently: 3 });
    await before.consumer.start();
    await waitFor("the first 60", () => before.consumer.stats.applied === 60);
    await before.consumer.stop();

    const later = note("later");
    await produceRaw(NoteCreated.topic, [noteMessage(later)]);
    const after = batchNotesConsumer(registry, undefined, { groupId, partitionsConsumedConcurrently: 3 });
    await whileRunning(after.consumer, async () => {
      await waitFor("the later note", () => after.consumer.stats.applied === 1);
      // Given time to receive anything else: only the event produced after the first consumer stopped.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(after.consumer.stats).toMatchObject({ received: 1, applied: 1, duplicates: 0 });
    });
  });
});
