import { describe, expect, it } from "vitest";
import { afterFailure } from "../src/rules/backoff.ts";
import { planDeliveries } from "../src/rules/plan.ts";
import {
  emailSkipReason,
  isStale,
  type KnownPerson,
  ownerRecipientIds,
  recipientIds,
} from "../src/rules/recipients.ts";
import { renderAtRisk, renderReminder } from "../src/rules/template.ts";

const team = { members: ["m2", "m1", "l1", "m1"], leaders: ["l1"] };
const toTeam = (action: string, escalation = false) => ({
  recipient: { kind: "team" as const, id: "t1" },
  action,
  escalation,
});
const person = (fields: Partial<KnownPerson> = {}): KnownPerson => ({
  personId: "p1",
  name: "Ada",
  email: "ada@example.com",
  active: true,
  removed: false,
  ...fields,
});

describe("recipients of a reminder", () => {
  it("is the person a person-reminder names, known or not", () => {
    expect(
      recipientIds(
        { recipient: { kind: "person", id: "p9" }, action: "check-in", escalation: false },
        undefined,
      ),
    ).toEqual(["p9"]);
  });

  it("is every member of the team, each once, for the team's own work", () => {
    expect(recipientIds(toTeam("check-in"), team)).toEqual(["l1", "m1", "m2"]);
    expect(recipientIds(toTeam("draft-objectives"), team)).toEqual(["l1", "m1", "m2"]);
  });

  it("is the team's leaders for approvals and escalations", () => {
    expect(recipientIds(toTeam("approve-objectives"), team)).toEqual(["l1"]);
    expect(recipientIds(toTeam("check-in", true), team)).toEqual(["l1"]);
  });

  it("is nobody for a team the notifier does not know", () => {
    expect(recipientIds(toTeam("check-in"), undefined)).toEqual([]);
  });
});

describe("recipients of an alert about an objective", () => {
  it("is its owner: the person, or the owning team's leaders", () => {
    expect(ownerRecipientIds({ kind: "person", id: "p1" }, undefined)).toEqual(["p1"]);
    expect(ownerRecipientIds({ kind: "team", id: "t1" }, team)).toEqual(["l1"]);
    expect(ownerRecipientIds({ kind: "team", id: "t1" }, undefined)).toEqual([]);
  });
});

describe("whether a person can be mailed", () => {
  it("says why not: unknown, removed, inactive, without an email", () => {
    expect(emailSkipReason(undefined)).toBe("unknown-person");
    expect(emailSkipReason(person({ removed: true }))).toBe("removed");
    expect(emailSkipReason(person({ active: false }))).toBe("inactive");
    expect(emailSkipReason(person({ email: null }))).toBe("no-email");
    expect(emailSkipReason(person({ email: "  " }))).toBe("no-email");
    expect(emailSkipReason(person())).toBeNull();
  });
});

describe("the deliveries planned for an event", () => {
  const render = (name: string) => ({ subject: `to ${name}`, text: "", html: "", link: "" });

  it("gives each recipient an inbox entry and an email, pending or skipped with the reason", () => {
    const people = new Map([
      ["a", person({ personId: "a", email: "a@example.com" })],
      ["b", person({ personId: "b", email: null })],
    ]);
    const planned = planDeliveries(["a", "b", "c"], people, render);
    expect(planned.map((d) => [d.recipientId, d.channel, d.state, d.skipReason, d.address])).toEqual([
      ["a", "in-app", "sent", null, null],
      ["a", "email", "pending", null, "a@example.com"],
      ["b", "in-app", "sent", null, null],
      ["b", "email", "skipped", "no-email", null],
      ["c", "in-app", "sent", null, null],
      ["c", "email", "skipped", "unknown-person", null],
    ]);
  });

  it("mails nothing for a stale event but still fills the inbox", () => {
    const people = new Map([
      ["a", person({ personId: "a" })],
      ["b", person({ personId: "b", active: false })],
    ]);
    const planned = planDeliveries(["a", "b"], people, render, { stale: true });
    expect(planned.map((d) => [d.recipientId, d.channel, d.state, d.skipReason])).toEqual([
      ["a", "in-app", "sent", null],
      ["a", "email", "skipped", "stale"],
      ["b", "in-app", "sent", null],
      ["b", "email", "skipped", "inactive"],
    ]);
  });

  it("gives a removed person nothing to read or receive", () => {
    const planned = planDeliveries(["a"], new Map([["a", person({ personId: "a", removed: true })]]), render);
    expect(planned.map((d) => [d.channel, d.state, d.skipReason])).toEqual([
      ["in-app", "skipped", "removed"],
      ["email", "skipped", "removed"],
    ]);
  });
});

describe("stale events", () => {
  it("are those published longer ago than the maximum age", () => {
    const now = new Date("2026-12-04T12:00:00.000Z");
    expect(isStale("2026-12-04T11:00:00.000Z", now, 2 * 3600_000)).toBe(false);
    expect(isStale("2026-12-04T09:59:59.000Z", now, 2 * 3600_000)).toBe(true);
  });
});

describe("retry backoff", () => {
  const policy = { baseMs: 1000, maxMs: 60_000, maxAttempts: 5 };

  it("doubles per attempt, jittered between half and all of it, capped", () => {
    expect(afterFailure(1, policy, () => 0)).toEqual({ park: false, delayMs: 500 });
    expect(afterFailure(1, policy, () => 0.999_999)).toEqual({ park: false, delayMs: 1000 });
    expect(afterFailure(3, policy, () => 0.5)).toEqual({ park: false, delayMs: 3000 });
    expect(afterFailure(4, { ...policy, maxMs: 5000, maxAttempts: 50 }, () => 0)).toEqual({
      park: false,
      delayMs: 2500,
    });
  });

  it("parks once the attempts are spent", () => {
    expect(afterFailure(5, policy)).toEqual({ park: true });
    expect(afterFailure(4, policy).park).toBe(false);
  });
});

describe("the reminder message", () => {
  const reminder = {
    cycleId: "c-1",
    phase: "CHECK_INS",
    action: "check-in",
    dueAt: "2026-12-07T09:00:00.000Z",
    escalation: false,
    message: "Your <weekly> check-in",
  };

  it("links into the web app and escapes what it quotes in HTML", () => {
    const message = renderReminder(reminder, "Ada", "http://web.example/");
    expect(message.link).toBe("http://web.example/cycles/c-1");
    expect(message.subject).toBe("Check in on your key results by 2026-12-07 09:00 UTC");
    expect(message.text).toContain("Your <weekly> check-in");
    expect(message.text).toContain("http://web.example/cycles/c-1");
    expect(message.html).toContain("Your &lt;weekly&gt; check-in");
    expect(message.html).toContain('<a href="http://web.example/cycles/c-1">');
  });

  it("marks an escalation overdue", () => {
    expect(renderReminder({ ...reminder, escalation: true }, "", "http://w").subject).toMatch(/^Overdue: /);
  });
});

describe("the at-risk message", () => {
  it("says where the objective stands and why, linking to it", () => {
    const message = renderAtRisk(
      { objectiveId: "o-1", score: 0.2, expected: 0.5, reasons: ["no <check-in>"] },
      "Ship faster",
      "Ada",
      "http://web.example",
    );
    expect(message.subject).toBe("At risk: Ship faster");
    expect(message.link).toBe("http://web.example/objectives/o-1");
    expect(message.text).toContain("It scores 20% where 50% was expected by now.");
    expect(message.text).toContain("- no <check-in>");
    expect(message.html).toContain("<li>no &lt;check-in&gt;</li>");
  });
});
