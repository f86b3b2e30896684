import { randomUUID } from "node:crypto";
import type { TestDatabase } from "@okr/database/testing";
import { waitFor } from "@okr/endpoints";
import { type ControllableBroker, startPrivateKafka } from "@okr/native-infra/private-kafka";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKafkaBus, HEADER, OutboxRelay, pgTransaction, publishEvent } from "../src/index.ts";
import { collectMessages, testBus } from "../src/testing.ts";
import {
  insertNote,
  messageKeys,
  noteEvents,
  notesDatabase,
  outboxCount as outboxCountOf,
  whileRunning,
} from "./support.ts";

const tenant = "11111111-1111-4111-8111-111111111111";
let db: TestDatabase;

beforeAll(async () => {
  db = await notesDatabase();
});
afterAll(() => db.drop());

async function createNote(
  NoteCreated: ReturnType<typeof noteEvents>["NoteCreated"],
  body: string,
  fail = false,
) {
  return pgTransaction(db.pool, async (tx) => {
    const noteId = await insertNote(tx, NoteCreated, body, tenant);
    if (fail) throw new Error("the state change fails after the event was written");
    return noteId;
  });
}

const outboxCount = () => outboxCountOf(db.pool);

describe("transactional outbox and relay", () => {
  it("commits a state change and its event together, then relays the event to Kafka with CloudEvents headers", async () => {
    const { NoteCreated } = noteEvents();
    const noteId = await createNote(NoteCreated, "first note");
    expect(await outboxCount()).toBe(1);

    const bus = testBus();
    const relay = new OutboxRelay({ pool: db.pool, createProducer: () => bus.producer() });
    expect(await relay.drain()).toBe(1);
    await relay.stop();
    expect(await outboxCount()).toBe(0);

    const [message] = await collectMessages(NoteCreated.topic, { count: 1 });
    expect(message?.key).toBe(noteId);
    expect(message?.headers[HEADER.type]).toBe("okr.test-note.created.v1");
    expect(message?.headers[HEADER.tenant]).toBe(tenant);
    const envelope = JSON.parse(message?.value?.toString() ?? "{}");
    expect(envelope).toMatchObject({
      specversion: "1.0",
      type: NoteCreated.type,
      tenant,
      data: { noteId, body: "first note" },
    });
    expect(message?.headers[HEADER.id]).toBe(envelope.id);
  });

  it("publishes nothing for a change that rolls back", async () => {
    const { NoteCreated } = noteEvents();
    await expect(createNote(NoteCreated, "doomed", true)).rejects.toThrow(/fails after/);
    expect(await outboxCount()).toBe(0);
    expect((await db.pool.query("select count(*) from notes where body = 'doomed'")).rows[0].count).toBe("0");
  });

  it("wakes on commit (NOTIFY) and keeps per-key order across many events", async () => {
    const { NoteCreated } = noteEvents();
    const bus = testBus();
    const relay = new OutboxRelay({
      pool: db.pool,
      createProducer: () => bus.producer(),
      pollIntervalMs: 60_000,
    });
    await whileRunning(relay, async () => {
      const noteId = randomUUID();
      await pgTransaction(db.pool, async (tx) => {
        await tx.client.query("insert into notes (id, body) values ($1, 'v0')", [noteId]);
        for (let version = 1; version <= 20; version++) {
          await publishEvent(tx, NoteCreated, { noteId, body: `v${version}` }, { tenant });
        }
      });
      // The poll interval is a minute: only the NOTIFY from the commit can make this arrive in time.
      const messages = await collectMessages(NoteCreated.topic, { count: 20, timeoutMs: 20_000 });
      expect(messages.map((m) => JSON.parse(m.value?.toString() ?? "{}").data.body)).toEqual(
        Array.from({ length: 20 }, (_, i) => `v${i + 1}`),
      );
    });
  });

  it("misses no commit that lands while it is publishing: each one wakes it", async () => {
    // The next note commits while the relay is sending the previous one, after the relay's read and
    // before its commit: the NOTIFY then arrives while it is not yet asleep, and used to be lost.
    const { NoteCreated } = noteEvents();
    const bus = testBus();
    const sent: string[] = [];
    let committed = 0;
    const commitNote = () =>
      pgTransaction(db.pool, async (tx) => {
        committed += 1;
        await publishEvent(tx, NoteCreated, { noteId: randomUUID(), body: `#${committed}` }, { tenant });
      });
    const relay = new OutboxRelay({
      pool: db.pool,
      createProducer: () => {
        const kafka = bus.producer();
        return {
          connect: () => kafka.connect(),
          disconnect: () => kafka.disconnect(),
          send: async (messages) => {
            await kafka.send(messages);
            sent.push(...messages.map((message) => JSON.parse(String(message.value)).data.body));
            if (committed < 10) await commitNote();
          },
        };
      },
      pollIntervalMs: 60_000,
    });
    await whileRunning(relay, async () => {
      await commitNote();
      // Far under the poll interval: only each commit's NOTIFY can bring all ten in time.
      await waitFor("ten notes relayed", () => sent.length === 10, 15_000);
      expect(sent).toEqual(Array.from({ length: 10 }, (_, i) => `#${i + 1}`));
    });
  });
});

describe("Kafka down at publish time", () => {
  let broker: ControllableBroker;
  beforeAll(async () => {
    broker = await startPrivateKafka("outbox-fault-test");
  }, 120_000);
  afterAll(() => broker?.stop());

  it("keeps events in the outbox while the broker is down and sends each exactly once when it is back", async () => {
    const { NoteCreated } = noteEvents();
    const bus = createKafkaBus({ brokers: broker.brokers, clientId: "outbox-fault-test", log: () => {} });
    await bus.ensureTopics([NoteCreated.topic]);
    await broker.stop();

    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await createNote(NoteCreated, `written while Kafka is down #${i}`));
    const relay = new OutboxRelay({
      pool: db.pool,
      createProducer: () => bus.producer(),
      maxBackoffMs: 1000,
    });
    await whileRunning(relay, async () => {
      await waitFor("the relay to fail against the stopped broker", () => relay.stats.failures > 0, 60_000);
      expect(await outboxCount()).toBe(5);

      await broker.start();
      const keys = await messageKeys(NoteCreated.topic, { count: 5, timeoutMs: 60_000, bus, settleMs: 2000 });
      expect(new Set(keys)).toEqual(new Set(ids));
      expect(keys).toHaveLength(5);
      expect(await outboxCount()).toBe(0);
    });
  }, 180_000);
});
