import { randomUUID } from "node:crypto";
import { type EventData, PersonChanged, ReminderDue } from "@okr/events";
import {
  createTestDatabase,
  type ServiceProcess,
  type TestDatabase,
  testBus,
  uniqueName,
  waitFor,
} from "@okr/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrationsDir } from "../src/database.ts";
import { MAX_IN_FLIGHT } from "../src/delivery/sender.ts";
import { type ReceivedMail, startMailbox } from "./mailbox.ts";
import { NotifierProcess, personChanged, publish, reminderDue } from "./support.ts";

/** 40 teams of 5: one check-in reminder per team is 200 emails. */
const TEAMS = 40;
const TEAM_SIZE = 5;
/** The mailbox's acceptance of this many of the test's emails SIGKILLs the first notifier. */
const KILL_AT = 60;

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase({ migrationsDir, poolMax: 4 });
});
afterAll(() => db?.drop());

interface EmailRow {
  id: string;
  eventId: string;
  recipientId: string;
  state: string;
  attempts: number;
  lastError: string | null;
}

const emailDeliveries = async (tenant: string) =>
  (
    await db.pool.query<EmailRow>(
      `select id, event_id as "eventId", recipient_id as "recipientId", state, attempts, last_error as "lastError"
         from deliveries where tenant_id = $1 and channel = 'email'`,
      [tenant],
    )
  ).rows;

describe("a notifier killed in the middle of a batch of emails", () => {
  it("delivers every email after a restart, repeating only what the mail server accepted from the killed sends, under the same Message-ID", async () => {
    const tenant = randomUUID();
    const group = uniqueName("notifier-kill");
    const members = Array.from({ length: TEAMS }, () => randomUUID()).flatMap((teamId) =>
      Array.from({ length: TEAM_SIZE }, () => personChanged({ teams: [{ teamId, role: "member" }] })),
    );
    const late = personChanged();
    const people = [...members, late];
    const addresses = new Set(people.map((person) => person.email));
    const ours = (mail: ReceivedMail) => mail.to.some((address) => addresses.has(address));

    let doomed: ServiceProcess | undefined;
    let restarted: ServiceProcess | undefined;
    let acceptedOfOurs = 0;
    // The first notifier is SIGKILLed as the server accepts the KILL_AT-th of the test's messages, before
    // the 250 answer: the kill lands with sends in flight, that one already taken by the server.
    const mailbox = await startMailbox({
      onAccepted: (mail) => {
        if (ours(mail) && ++acceptedOfOurs === KILL_AT) doomed?.kill();
      },
    });
    const ourMails = () => people.flatMap((person) => mailbox.mailsTo(person.email));
    const producer = testBus().producer();
    await producer.connect();
    try {
      await NotifierProcess.startGroups(group);
      const env = { DATABASE_URL: db.url, KAFKA_CONSUMER_GROUP: group, SMTP_URL: mailbox.url };
      doomed = await NotifierProcess.spawn(env);
      for (const person of people) await publish(producer, PersonChanged, person, tenant);
      await waitFor(
        "the notifier to learn the people",
        async () =>
          (await db.pool.query("select 1 from people where tenant_id = $1", [tenant])).rowCount ===
          people.length,
        120_000,
      );

      // One cycle: all its reminders share a partition, so they are consumed in publishing order.
      const cycleId = randomUUID();
      const reminders: { id: string; time: Date; data: EventData<typeof ReminderDue> }[] = [];
      for (const teamId of new Set(members.map((person) => person.teams[0]!.teamId))) {
        const data = reminderDue({ kind: "team", id: teamId }, { cycleId });
        const event = await publish(producer, ReminderDue, data, tenant);
        reminders.push({ id: event.id, time: new Date(event.time), data });
      }
      await waitFor("the kill", () => doomed?.exited !== undefined, 120_000);
      expect(doomed?.exited, doomed?.stderr).toBeNull();
      expect(acceptedOfOurs).toBeGreaterThanOrEqual(KILL_AT);
      // Nothing more can arrive from the killed process once its SMTP connections are closed.
      await waitFor("the killed sender's connections to close", () => mailbox.openConnections() === 0);
      const acceptedBeforeKill = new Set(ourMails().map((mail) => mail.deliveryId));
      const atKill = await emailDeliveries(tenant);
      const sentAtKill = atKill.filter((row) => row.state === "sent").length;
      expect(sentAtKill).toBeGreaterThan(0);
      expect(sentAtKill).toBeLessThan(members.length);
      // Claimed (an attempt counted, leased) and neither sent nor failed: the sends the kill cut short.
      const inFlightAtKill = atKill.filter((row) => row.state === "pending" && row.attempts > 0);
      expect(inFlightAtKill.filter((row) => row.lastError !== null)).toEqual([]);
      expect(inFlightAtKill.length).toBeLessThanOrEqual(MAX_IN_FLIGHT);
      // Of those, the server accepted some before the sender died: they are the only emails it may send twice.
      const acceptedUnmarked = inFlightAtKill
        .filter((row) => acceptedBeforeKill.has(row.id))
        .map((row) => row.id)
        .sort();

      // The cycle workflows' relay publishes the batch again (at least once): the restarted notifier
      // consumes events the killed one recorded. A later reminder of the same cycle, for someone else,
      // is consumed after them.
      for (const { id, time, data } of reminders)
        await publish(producer, ReminderDue, data, tenant, { id, time });
      const marker = await publish(
        producer,
        ReminderDue,
        reminderDue({ kind: "person", id: late.personId }, { cycleId }),
        tenant,
      );

      restarted = await NotifierProcess.spawn(env);
      // The cut-short sends are due again when their lease (two minutes) runs out.
      await waitFor(
        "every email to be sent",
        async () => {
          const rows = await emailDeliveries(tenant);
          return rows.length === people.length && rows.every((row) => row.state === "sent");
        },
        240_000,
      );

      // One delivery record per (event, recipient, channel), all sent: nothing consumed twice made more.
      const { rows: records } = await db.pool.query<{ key: string; state: string }>(
        `select event_id || '/' || recipient_id || '/' || channel as key, state from deliveries where tenant_id = $1`,
        [tenant],
      );
      const expected = [
        ...reminders.flatMap(({ id, data }) =>
          members
            .filter((person) => person.teams[0]!.teamId === data.recipient.id)
            .map((person) => `${id}/${person.personId}`),
        ),
        `${marker.id}/${late.personId}`,
      ].flatMap((pair) => [`${pair}/email`, `${pair}/in-app`]);
      expect(records.map((record) => record.key).sort()).toEqual(expected.sort());
      expect(records.filter((record) => record.state !== "sent")).toEqual([]);

      // Every email arrived, each copy under its delivery's Message-ID; the repeats are exactly the
      // accepted-but-unmarked sends of the killed process, twice each at most.
      const emails = await emailDeliveries(tenant);
      const mails = ourMails();
      const copies = Map.groupBy(mails, (mail) => mail.deliveryId);
      expect(emails.filter((row) => !copies.has(row.id))).toEqual([]);
      expect(copies.size).toBe(emails.length);
      expect(
        mails.filter((mail) => mail.messageId !== `<${mail.deliveryId}@okr-notifier>`).map((m) => m.to),
      ).toEqual([]);
      const repeated = [...copies].filter(([, sent]) => sent.length > 1);
      expect(repeated.map(([id]) => id).sort()).toEqual(acceptedUnmarked);
      expect(repeated.filter(([, sent]) => sent.length > 2)).toEqual([]);
      expect(repeated.length).toBeLessThanOrEqual(MAX_IN_FLIGHT);
      const addressOf = new Map(people.map((person) => [person.personId, person.email]));
      const misaddressed = emails.filter((row) =>
        copies.get(row.id)?.some((mail) => mail.to.join() !== addressOf.get(row.recipientId)),
      );
      expect(misaddressed).toEqual([]);
    } finally {
      doomed?.kill();
      await restarted?.stop();
      await producer.disconnect();
      await mailbox.close();
    }
  }, 420_000);
});
