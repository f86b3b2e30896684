import { randomUUID } from "node:crypto";
import type { SqlRunner } from "@okr/database";
import { ReminderDue } from "@okr/events";
import { pgTransaction } from "@okr/messaging";
import { waitFor } from "@okr/testkit";
import { describe, expect, it } from "vitest";
import { EmailSender } from "../src/delivery/sender.ts";
import { SentMarks } from "../src/delivery/sent-marks.ts";
import { claimDueEmails, insertDeliveries } from "../src/repositories/deliveries.ts";
import { planDeliveries } from "../src/rules/plan.ts";
import { personChanged, publish, publishPeople, reminderDue, teamChanged, useNotifier } from "./support.ts";

const notifier = useNotifier({
  SENDER_POLL_MS: "100",
  SENDER_BATCH_SIZE: "5",
});

const stateOf = async (ids: string[]) =>
  (
    await notifier.service.runtime.pool.query<{ state: string; attempts: number }>(
      "select state, attempts from deliveries where id = any($1::uuid[])",
      [ids],
    )
  ).rows;

/** `count` emails written and claimed (leased for a minute, so the service's own sender leaves them). */
async function claimedEmails(count: number) {
  const tenant = randomUUID();
  const people = Array.from({ length: count }, () => personChanged());
  const render = () => ({ subject: "Check in", text: "Check in", html: "<p>Check in</p>", link: "http://w" });
  return pgTransaction(notifier.service.runtime.pool, async (tx) => {
    const known = new Map(people.map((person) => [person.personId, person]));
    await insertDeliveries(
      tx,
      { id: randomUUID(), type: ReminderDue.type, tenant },
      planDeliveries([...known.keys()], known, render),
    );
    const addresses = new Set(people.map((person) => person.email));
    return (await claimDueEmails(tx, 1000, 60_000)).filter((email) => addresses.has(email.address));
  });
}

describe("the email sender", () => {
  it("sends each email once while several senders claim side by side", async () => {
    const tenant = randomUUID();
    const team = teamChanged();
    const people = Array.from({ length: 30 }, () =>
      personChanged({ teams: [{ teamId: team.teamId, role: "member" }] }),
    );
    await publishPeople(notifier, tenant, people, team);

    // Two more senders (as two more replicas would run) beside the service's own, small batches each.
    const replicas = [new EmailSender(notifier.service.runtime), new EmailSender(notifier.service.runtime)];
    for (const sender of replicas) sender.start();
    try {
      await publish(notifier.producer, ReminderDue, reminderDue({ kind: "team", id: team.teamId }), tenant);
      await waitFor(
        "every member's email",
        () => people.every((person) => notifier.mailbox.mailsTo(person.email).length > 0),
        60_000,
      );
    } finally {
      for (const sender of replicas) await sender.stop();
    }
    expect(people.map((person) => notifier.mailbox.mailsTo(person.email).length)).toEqual(
      people.map(() => 1),
    );
  });

  it("sends an email a sender claimed and then died with, once its lease runs out", async () => {
    const tenant = randomUUID();
    const person = personChanged();
    const address = person.email;
    const render = () => ({
      subject: "Check in",
      text: "Check in",
      html: "<p>Check in</p>",
      link: "http://w",
    });
    // Written and claimed in one transaction, as a sender that died right after claiming leaves it.
    const claimed = await pgTransaction(notifier.service.runtime.pool, async (tx) => {
      const known = new Map([[person.personId, { ...person, email: address }]]);
      await insertDeliveries(
        tx,
        { id: randomUUID(), type: ReminderDue.type, tenant },
        planDeliveries([person.personId], known, render),
      );
      return claimDueEmails(tx, 1000, 1_500);
    });
    const ids = claimed.filter((email) => email.address === address).map((email) => email.id);
    expect(ids).toHaveLength(1);
    expect(await stateOf(ids)).toEqual([{ state: "pending", attempts: 1 }]);

    await waitFor(
      "the leased email to be sent",
      () => notifier.mailbox.mailsTo(address).length === 1,
      30_000,
    );
    await waitFor("the delivery to be marked sent", async () => (await stateOf(ids))[0]?.state === "sent");
    expect(await stateOf(ids)).toEqual([{ state: "sent", attempts: 2 }]);
    expect(notifier.mailbox.mailsTo(address)).toHaveLength(1);
  });

  it("marks the emails accepted while a mark is written together, each once its row says sent", async () => {
    const ids = (await claimedEmails(12)).map((email) => email.id);
    expect(ids).toHaveLength(12);
    const pool = notifier.service.runtime.pool;
    const statements: unknown[][] = [];
    const counting: SqlRunner = {
      query: (statement, values) => {
        statements.push(values ?? []);
        return pool.query(statement, values);
      },
    };
    const marks = new SentMarks(counting);

    // The first goes at once; the eleven accepted while it is written go together after it.
    await Promise.all(ids.map((id) => marks.mark(id)));
    expect(statements.map(([batch]) => (batch as string[]).length)).toEqual([1, 11]);
    expect(await stateOf(ids)).toEqual(ids.map(() => ({ state: "sent", attempts: 1 })));

    await expect(marks.mark("not-a-delivery-id")).rejects.toThrow();
  });
});
