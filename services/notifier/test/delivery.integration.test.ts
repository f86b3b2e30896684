import { randomUUID } from "node:crypto";
import { ObjectiveAtRisk, ReminderDue } from "@okr/events";
import { deadLetterTopic, HEADER } from "@okr/messaging";
import { findMessage, waitFor } from "@okr/testkit";
import { describe, expect, it } from "vitest";
import * as support from "./support.ts";

const notifier = support.useNotifier({
  WEB_URL: "http://web.example",
  DELIVERY_MAX_ATTEMPTS: "3",
  DELIVERY_BACKOFF_MS: "50",
  DELIVERY_MAX_BACKOFF_MS: "200",
  SENDER_POLL_MS: "100",
});

describe("reminders by email", () => {
  it("mails a team reminder to each active member exactly once, though the event arrives twice", async () => {
    const tenant = randomUUID();
    const team = support.teamChanged();
    const [ada, bob, cy, dee] = [
      support.personChanged({ teams: [{ teamId: team.teamId, role: "leader" }] }),
      support.personChanged({ name: "Bob", teams: [{ teamId: team.teamId, role: "member" }] }),
      support.personChanged({ name: "Cy", active: false, teams: [{ teamId: team.teamId, role: "member" }] }),
      support.personChanged({ name: "Dee", email: "", teams: [{ teamId: team.teamId, role: "member" }] }),
    ];
    await support.publishPeople(notifier, tenant, [ada, bob, cy, dee], {
      ...team,
      leaderIds: [ada.personId],
    });

    const cycleId = randomUUID();
    const reminder = support.reminderDue({ kind: "team", id: team.teamId }, { cycleId });
    const eventId = randomUUID();
    await support.publish(notifier.producer, ReminderDue, reminder, tenant, { id: eventId });
    await support.publish(notifier.producer, ReminderDue, reminder, tenant, { id: eventId });
    // A later reminder of the same cycle (same partition): once its mail arrives, the copy before it was consumed.
    const later = await support.publish(
      notifier.producer,
      ReminderDue,
      support.reminderDue({ kind: "person", id: ada.personId }, { cycleId }),
      tenant,
    );
    await waitFor(
      "the later reminder's email",
      () => notifier.mailbox.mailsTo(ada.email).length === 2,
      60_000,
    );
    await waitFor("bob's email", () => notifier.mailbox.mailsTo(bob.email).length === 1);

    expect(notifier.mailbox.mailsTo(ada.email)).toHaveLength(2);
    expect(notifier.mailbox.mailsTo(bob.email)).toHaveLength(1);
    expect(notifier.mailbox.mailsTo(cy.email)).toHaveLength(0);
    const mail = notifier.mailbox.mailsTo(bob.email)[0]!;
    expect(mail.raw).toContain(`http://web.example/cycles/${cycleId}`);
    expect(mail.raw).toContain("Time for this week's check-in.");
    expect(mail.raw).toMatch(/Content-Type: text\/html/i);

    // A delivery is marked sent once the server accepted it, so the mark may follow the mail by a moment.
    const emails = await waitFor("the two emails marked sent", async () => {
      const found = (await support.deliveriesOf(notifier, tenant, eventId)).filter(
        (d) => d.channel === "email",
      );
      return found.filter((d) => d.state === "sent").length === 2 ? found : undefined;
    });
    const byPerson = (id: string) => emails.find((d) => d.recipientId === id);
    expect(emails).toHaveLength(4);
    expect(byPerson(ada.personId)?.state).toBe("sent");
    expect(byPerson(bob.personId)?.state).toBe("sent");
    expect([byPerson(cy.personId)?.state, byPerson(cy.personId)?.skipReason]).toEqual([
      "skipped",
      "inactive",
    ]);
    expect([byPerson(dee.personId)?.state, byPerson(dee.personId)?.skipReason]).toEqual([
      "skipped",
      "no-email",
    ]);
    expect(mail.deliveryId).toBe(byPerson(bob.personId)?.id);
    expect(
      (await support.deliveriesOf(notifier, tenant, later.id)).filter((d) => d.channel === "email"),
    ).toHaveLength(1);

    // The skipped ones, as an operator lists them.
    const admin = support.apiFor(notifier.service, await notifier.service.token(["admin"], tenant));
    const skipped = (await admin.get("/deliveries?state=skipped")).json().items as support.Delivery[];
    expect(skipped.map((d) => d.recipientId).sort()).toEqual([cy.personId, dee.personId].sort());

    // Dee has no email but still has the reminder in the in-app inbox, and reads it.
    const dees = support.apiFor(
      notifier.service,
      await notifier.service.token(["member"], tenant, dee.personId),
    );
    const inbox = await dees.get(`/people/${dee.personId}/notifications`);
    expect(inbox.status).toBe(200);
    expect(inbox.json().items.map((n: { eventId: string }) => n.eventId)).toEqual([eventId]);
    expect((await dees.post(`/people/${dee.personId}/notifications/read`)).json()).toEqual({ marked: 1 });
    expect((await dees.get(`/people/${dee.personId}/notifications?unread=true`)).json().items).toEqual([]);
    expect((await dees.get(`/people/${bob.personId}/notifications`)).status).toBe(403);
  });

  it("mails nothing for a reminder published days ago, but puts it in the inbox", async () => {
    const tenant = randomUUID();
    const person = support.personChanged();
    await support.publishPeople(notifier, tenant, [person]);
    const twoDaysAgo = new Date(Date.now() - 2 * 24 * 3600_000);
    const event = await support.publish(
      notifier.producer,
      ReminderDue,
      support.reminderDue({ kind: "person", id: person.personId }),
      tenant,
      { time: twoDaysAgo },
    );
    const deliveries = await waitFor("the stale reminder's deliveries", async () => {
      const found = await support.deliveriesOf(notifier, tenant, event.id);
      return found.length === 2 ? found : undefined;
    });
    expect(deliveries.map((d) => [d.channel, d.state, d.skipReason]).sort()).toEqual([
      ["email", "skipped", "stale"],
      ["in-app", "sent", null],
    ]);
    expect(notifier.mailbox.mailsTo(person.email)).toHaveLength(0);
  });

  it("sends approvals to the team's leaders only", async () => {
    const tenant = randomUUID();
    const team = support.teamChanged();
    const [lead, member] = [
      support.personChanged({ teams: [{ teamId: team.teamId, role: "leader" }] }),
      support.personChanged({ teams: [{ teamId: team.teamId, role: "member" }] }),
    ];
    await support.publishPeople(notifier, tenant, [lead, member], { ...team, leaderIds: [lead.personId] });

    const event = await support.publish(
      notifier.producer,
      ReminderDue,
      support.reminderDue({ kind: "team", id: team.teamId }, { action: "approve-objectives" as never }),
      tenant,
    );
    await waitFor("the leader's email", () => notifier.mailbox.mailsTo(lead.email).length === 1, 60_000);
    expect((await support.deliveriesOf(notifier, tenant, event.id)).map((d) => d.recipientId)).toEqual([
      lead.personId,
      lead.personId,
    ]);
    expect(notifier.mailbox.mailsTo(member.email)).toHaveLength(0);
  });

  it("alerts the owner of an objective at risk: the person, or the owning team's leaders", async () => {
    const tenant = randomUUID();
    const team = support.teamChanged();
    const [lead, member, owner] = [
      support.personChanged({ teams: [{ teamId: team.teamId, role: "leader" }] }),
      support.personChanged({ teams: [{ teamId: team.teamId, role: "member" }] }),
      support.personChanged(),
    ];
    await support.publishPeople(notifier, tenant, [lead, member, owner], team);
    const teams = support.objectiveUpserted({ kind: "team", id: team.teamId }, { title: "Ship <faster>" });
    const owners = support.objectiveUpserted({ kind: "person", id: owner.personId });
    // Version 2 renames the team's objective; the late version 1 after it changes nothing.
    await support.publishObjectives(notifier, tenant, [
      { ...teams, version: 2, title: "Ship faster" },
      teams,
      owners,
    ]);

    for (const { objectiveId } of [teams, owners])
      await support.publish(notifier.producer, ObjectiveAtRisk, support.objectiveAtRisk(objectiveId), tenant);
    await waitFor("the lead's alert", () => notifier.mailbox.mailsTo(lead.email).length === 1, 60_000);
    await waitFor("the owner's alert", () => notifier.mailbox.mailsTo(owner.email).length === 1, 60_000);
    const alert = notifier.mailbox.mailsTo(lead.email)[0]!;
    expect(alert.raw).toContain("At risk: Ship faster");
    expect(alert.raw).toContain(`http://web.example/objectives/${teams.objectiveId}`);
    expect(notifier.mailbox.mailsTo(member.email)).toHaveLength(0);
  });

  it("retries a refusing mail server, parks the delivery, and sends it once when retried", async () => {
    const tenant = randomUUID();
    const person = support.personChanged();
    notifier.mailbox.refused.add(person.email);
    await support.publishPeople(notifier, tenant, [person]);
    const event = await support.publish(
      notifier.producer,
      ReminderDue,
      support.reminderDue({ kind: "person", id: person.personId }),
      tenant,
    );

    const parked = await waitFor(
      "the delivery to be parked",
      async () => {
        const email = (await support.deliveriesOf(notifier, tenant, event.id)).find(
          (d) => d.channel === "email",
        );
        return email?.state === "parked" ? email : undefined;
      },
      60_000,
    );
    const admin = support.apiFor(notifier.service, await notifier.service.token(["admin"], tenant));
    const view = (await admin.get(`/deliveries/${parked.id}`)).json();
    expect(view.attempts).toBe(3);
    expect(view.lastError).toMatch(/451/);
    expect(notifier.mailbox.mailsTo(person.email)).toHaveLength(0);
    expect(
      (await admin.get("/deliveries?state=parked")).json().items.map((d: support.Delivery) => d.id),
    ).toEqual([parked.id]);

    notifier.mailbox.refused.delete(person.email);
    const retried = await admin.post(`/deliveries/${parked.id}/retry`);
    expect(retried.status).toBe(202);
    expect(retried.json().state).toBe("pending");
    await waitFor("the retried email", () => notifier.mailbox.mailsTo(person.email).length === 1, 30_000);
    await waitFor(
      "the delivery to be sent",
      async () => (await admin.get(`/deliveries/${parked.id}`)).json().state === "sent",
    );
    const again = await admin.post(`/deliveries/${parked.id}/retry`);
    expect(again.status).toBe(409);
    expect(again.headers["content-type"]).toMatch(/application\/problem\+json/);
    expect(notifier.mailbox.mailsTo(person.email)).toHaveLength(1);
  });

  it("sends a reminder it can never apply to the dead-letter topic", async () => {
    const poison = await support.publish(
      notifier.producer,
      ReminderDue,
      support.reminderDue({ kind: "person", id: randomUUID() }),
      "not-a-uuid",
    );
    const dead = await findMessage(
      deadLetterTopic(ReminderDue.topic),
      (message) => JSON.parse(message.value?.toString() ?? "{}").id === poison.id,
      { timeoutMs: 60_000 },
    );
    expect(dead.headers[HEADER.deadLetter.errorType]).toBe("PoisonEventError");
    expect(dead.headers[HEADER.deadLetter.error]).toMatch(/not a uuid/);
  });
});
