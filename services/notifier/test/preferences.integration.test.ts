import { randomUUID } from "node:crypto";
import {
  type EventEnvelope,
  NOTIFIER_TOPICS,
  ObjectiveUpserted,
  PersonAvailabilityChanged,
  PersonChanged,
  ReminderDue,
  TeamChanged,
} from "@okr/events";
import { formatClock } from "@okr/goals-domain";
import { testBus, uniqueName, waitFor } from "@okr/testkit";
import { describe, expect, it } from "vitest";
import { DigestScheduler } from "../src/delivery/digest-scheduler.ts";
import { EmailSender } from "../src/delivery/sender.ts";
import { digestPeriod } from "../src/rules/schedule.ts";
import * as support from "./support.ts";

// The service's own digest scheduler polls hourly here: the tests build digests with their own clocks.
const notifier = support.useNotifier({ SENDER_POLL_MS: "100", DIGEST_POLL_MS: "3600000" });

interface Row {
  id: string;
  event_id: string;
  channel: string;
  state: string;
  skip_reason: string | null;
  deferred_reason: string | null;
  next_attempt_at: Date | null;
  digest_id: string | null;
}

const deliveriesOf = async (personId: string) =>
  (
    await notifier.service.runtime.pool.query<Row>(
      `select id, event_id, channel, state, skip_reason, deferred_reason, next_attempt_at, digest_id
         from deliveries where recipient_id = $1 order by id`,
      [personId],
    )
  ).rows;

const emailOf = async (personId: string, eventId: string) =>
  (await deliveriesOf(personId)).find((row) => row.channel === "email" && row.event_id === eventId);

/** A person of a fresh tenant the notifier knows, and an admin and the person's own API client. */
async function knownPerson(fields: Parameters<typeof support.personChanged>[0] = {}) {
  const tenant = randomUUID();
  const person = support.personChanged(fields);
  await support.publishPeople(notifier, tenant, [person]);
  return {
    tenant,
    person,
    admin: support.apiFor(notifier.service, await notifier.service.token(["admin"], tenant)),
    self: support.apiFor(notifier.service, await notifier.service.token(["member"], tenant, person.personId)),
  };
}

/** Runs a sender whose clock reads `at` until `done`, as the service's sender would at that time. */
async function sendAt(at: Date, done: () => Promise<boolean> | boolean) {
  const sender = new EmailSender(notifier.service.runtime, { clock: () => at });
  sender.start();
  try {
    await waitFor("the sender at the later time", done, 30_000);
  } finally {
    await sender.stop();
  }
}

describe("preferences", () => {
  it("are the person's or an admin's to set, validated, and fall back to the tenant's defaults", async () => {
    const { tenant, person, admin, self } = await knownPerson({ timeZone: "America/New_York" });
    const other = support.apiFor(
      notifier.service,
      await notifier.service.token(["member"], tenant, randomUUID()),
    );
    const url = `/people/${person.personId}/preferences`;
    const bad = [
      [self.put(url, { timeZone: "Mars/Olympus" }), 422],
      [self.put(url, { quietHours: { start: "25:00", end: "08:00", weekends: false } }), 400],
      [self.put(url, { quietHours: { start: "8:00", end: "09:00", weekends: false } }), 400],
      [self.put(url, { quietHours: { start: "08:00", end: "08:00", weekends: false } }), 422],
      [self.put(url, { outOfOffice: { from: "2026-12-10T00:00:00Z", until: "2026-12-09T00:00:00Z" } }), 422],
      [self.put(url, { outOfOffice: { from: "soon", until: "2026-12-09T00:00:00Z" } }), 400],
      [self.put(url, { digest: "hourly" }), 400],
      [self.put(url, { sms: true }), 400],
      [other.put(url, { email: false }), 403],
      [other.get(url), 403],
      [self.put("/preferences/defaults", { digest: "daily" }), 403],
      [admin.put("/preferences/defaults", { timeZone: "Europe/Nowhere" }), 422],
      [admin.put("/preferences/defaults", { digestWeekday: 8 }), 400],
    ] as const;
    for (const [pending, status] of bad) {
      const response = await pending;
      expect(response.status).toBe(status);
      expect(response.headers["content-type"]).toMatch(/application\/problem\+json/);
    }

    const defaults = {
      email: true,
      timeZone: "Asia/Tokyo",
      quietHours: { start: "20:00", end: "08:00", weekends: true },
      digest: "weekly",
      digestTime: "07:30",
    };
    expect((await admin.put("/preferences/defaults", defaults)).status).toBe(200);
    expect((await admin.get("/preferences/defaults")).json()).toEqual(defaults);
    // Nothing chosen: the tenant's defaults, in the zone goals announced for the person.
    expect((await self.get(url)).json()).toEqual({
      settings: {},
      effective: {
        email: true,
        timeZone: "America/New_York",
        quietHours: defaults.quietHours,
        outOfOffice: null,
        digest: "weekly",
        digestTime: "07:30",
        digestWeekday: 1,
      },
    });
    const own = { timeZone: "Europe/Berlin", quietHours: null, digest: "immediate", email: false };
    const saved = await self.put(url, own);
    expect(saved.status).toBe(200);
    expect(saved.json().effective).toMatchObject({ ...own, quietHours: null });
    expect((await admin.get(url)).json().settings).toEqual(own);
  });

  it("defer an email due in quiet hours to their end, and send it then", async () => {
    const { tenant, person, self } = await knownPerson({ timeZone: "UTC" });
    const now = new Date();
    const minuteOfDay = (at: Date) => at.getUTCHours() * 60 + at.getUTCMinutes();
    const quietHours = {
      start: formatClock(minuteOfDay(new Date(now.getTime() - 60 * 60_000))),
      end: formatClock(minuteOfDay(new Date(now.getTime() + 60 * 60_000))),
      weekends: false,
    };
    expect((await self.put(`/people/${person.personId}/preferences`, { quietHours })).status).toBe(200);

    const reminder = await support.publish(
      notifier.producer,
      ReminderDue,
      support.reminderDue({ kind: "person", id: person.personId }),
      tenant,
    );
    await waitFor(
      "the email to be deferred",
      async () => (await emailOf(person.personId, reminder.id))?.deferred_reason === "quiet-hours",
    );
    const deferred = (await emailOf(person.personId, reminder.id)) as Row;
    const end = new Date(deferred.next_attempt_at as Date);
    expect(deferred.state).toBe("pending");
    expect(minuteOfDay(end)).toBe(minuteOfDay(new Date(now.getTime() + 60 * 60_000)));
    expect(end.getTime() - now.getTime()).toBeGreaterThan(58 * 60_000);
    expect(notifier.mailbox.mailsTo(person.email)).toHaveLength(0);
    // The inbox does not wait for quiet hours.
    expect((await deliveriesOf(person.personId)).find((row) => row.channel === "in-app")?.state).toBe("sent");

    await sendAt(new Date(end.getTime() + 1000), () => notifier.mailbox.mailsTo(person.email).length === 1);
    await waitFor(
      "the delivery to be marked sent",
      async () => (await emailOf(person.personId, reminder.id))?.state === "sent",
    );
    expect(notifier.mailbox.mailsTo(person.email)).toHaveLength(1);
  });

  it("hold emails while out of office, mail them when it ends (not reminders already overdue), and announce it", async () => {
    const { tenant, person, self } = await knownPerson();
    const announced = availabilityEvents(tenant);
    const now = Date.now();
    const outOfOffice = {
      from: new Date(now - 60 * 60_000).toISOString(),
      until: new Date(now + 3 * 60 * 60_000).toISOString(),
    };
    expect((await self.put(`/people/${person.personId}/preferences`, { outOfOffice })).status).toBe(200);
    const recipient = { kind: "person" as const, id: person.personId };
    const later = await support.publish(
      notifier.producer,
      ReminderDue,
      support.reminderDue(recipient, {
        dueAt: new Date(now + 86_400_000).toISOString(),
        message: "Due tomorrow",
      }),
      tenant,
    );
    const overdue = await support.publish(
      notifier.producer,
      ReminderDue,
      support.reminderDue(recipient, {
        dueAt: new Date(now + 60 * 60_000).toISOString(),
        message: "Due in an hour",
      }),
      tenant,
    );
    for (const event of [later, overdue])
      await waitFor(
        "the email to be held",
        async () => (await emailOf(person.personId, event.id))?.deferred_reason === "out-of-office",
      );
    for (const event of [later, overdue])
      expect((await emailOf(person.personId, event.id))?.next_attempt_at).toEqual(
        new Date(outOfOffice.until),
      );
    expect(notifier.mailbox.mailsTo(person.email)).toHaveLength(0);

    await sendAt(
      new Date(Date.parse(outOfOffice.until) + 60_000),
      async () =>
        (await emailOf(person.personId, overdue.id))?.state === "skipped" &&
        (await emailOf(person.personId, later.id))?.state === "sent",
    );
    expect((await emailOf(person.personId, overdue.id))?.skip_reason).toBe("expired");
    expect(notifier.mailbox.mailsTo(person.email).map((mail) => mail.raw.includes("Due tomorrow"))).toEqual([
      true,
    ]);

    const event = (await announced).find((e) => e.data.personId === person.personId);
    expect(event?.type).toBe(PersonAvailabilityChanged.type);
    expect(event?.data.outOfOffice).toEqual(outOfOffice);
  });

  it("hold emails in digest mode for one digest per period, with a summary of the period", async () => {
    const { tenant, person, admin, self } = await knownPerson({ timeZone: "Europe/Berlin" });
    // The person leads a team whose other member has not checked in, and owns an objective whose score moved.
    const team = support.teamChanged({ leaderIds: [person.personId], name: "Payments" });
    const member = support.personChanged({
      name: "Grace Hopper",
      teams: [{ teamId: team.teamId, role: "member" }],
    });
    await support.publish(notifier.producer, TeamChanged, team, tenant);
    await support.publish(notifier.producer, PersonChanged, member, tenant);
    const objective = support.objectiveUpserted(
      { kind: "person", id: person.personId },
      { title: "Faster checkout" },
    );
    await support.publish(notifier.producer, ObjectiveUpserted, objective, tenant);
    expect((await admin.put("/preferences/defaults", { digest: "daily", digestTime: "08:00" })).status).toBe(
      200,
    );
    expect((await self.get(`/people/${person.personId}/preferences`)).json().effective.digest).toBe("daily");

    // A clock a day ahead, an hour into its period, so an hour later is the same period.
    const period = digestPeriod(new Date(Date.now() + 86_400_000), "Europe/Berlin", "daily", {
      at: 480,
      weekday: 1,
    });
    const clock = new Date(period.at.getTime() + 60 * 60_000);
    await support.publishScoreMoved(notifier.producer, objective, period, tenant);
    const reminder = await support.publishReminderAfter(
      notifier.producer,
      { kind: "person", id: person.personId },
      period,
      tenant,
    );
    await waitFor(
      "the email to be held for the digest",
      async () => (await emailOf(person.personId, reminder.id))?.state === "held",
    );
    await waitFor(
      "the scores to be learnt",
      async () =>
        ((
          await notifier.service.runtime.pool.query(
            "select 1 from objective_scores where objective_id = $1",
            [objective.objectiveId],
          )
        ).rowCount ?? 0) === 2,
    );
    await waitFor(
      "the team to be learnt",
      async () => (await support.knownPeopleCount(notifier.service, tenant)) === 2,
    );

    const scheduler = new DigestScheduler(notifier.service.runtime, { clock: () => clock });
    await scheduler.runOnce();
    await waitFor("the digest email", () => notifier.mailbox.mailsTo(person.email).length === 1, 30_000);
    const digestMail = notifier.mailbox.mailsTo(person.email)[0]?.raw ?? "";
    for (const expected of [
      "Your daily digest: 1 notification",
      "Check in on your key results",
      "Scores that moved",
      "Faster checkout: 40% -> 25%",
      "At risk",
      "Payments: Grace Hopper",
      "Due next week",
    ])
      expect(digestMail).toContain(expected);

    // Asked again within the period (a second replica, the next poll) it builds nothing more.
    const again = new DigestScheduler(notifier.service.runtime, {
      clock: () => new Date(clock.getTime() + 60 * 60_000),
    });
    await again.runOnce();
    await scheduler.runOnce();
    const rows = await deliveriesOf(person.personId);
    const digests = rows.filter((row) => row.event_id.startsWith("digest:"));
    expect(digests.map((row) => row.event_id)).toEqual([`digest:${period.key}`]);
    expect(rows.find((row) => row.event_id === reminder.id && row.channel === "email")).toMatchObject({
      state: "digested",
      digest_id: digests[0]?.id,
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(notifier.mailbox.mailsTo(person.email)).toHaveLength(1);
  });
});

/** The availability events of `tenant` the notifier publishes within a few seconds. */
async function availabilityEvents(
  tenant: string,
): Promise<EventEnvelope<{ personId: string; outOfOffice: unknown }>[]> {
  const bus = testBus();
  await bus.ensureTopics([NOTIFIER_TOPICS.availability]);
  const consumer = bus.consumer(uniqueName("availability-reader"));
  await consumer.connect();
  const seen: EventEnvelope<{ personId: string; outOfOffice: unknown }>[] = [];
  try {
    await consumer.subscribe([NOTIFIER_TOPICS.availability], { fromBeginning: true });
    await consumer.run({
      eachMessage: async (message) => {
        const event = JSON.parse(message.value?.toString() ?? "{}");
        if (event.tenant === tenant) seen.push(event);
      },
    });
    await waitFor("the availability event", () => seen.length > 0, 30_000);
    return seen;
  } finally {
    await consumer.disconnect();
  }
}
