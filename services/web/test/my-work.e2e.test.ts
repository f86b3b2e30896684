import { randomUUID } from "node:crypto";
import { type EventData, ReminderDue } from "@okr/events";
import { sendEvent, waitFor } from "@okr/testkit";
import { describe, expect, it } from "vitest";
import { checkPage } from "./support/browser.ts";
import { browserStackPerSuite } from "./support/browser-stack.ts";
import { signIn } from "./support/sign-in.ts";

/**
 * My work with the cycle workflows' deadlines in headless Chromium on the real stack: a drafting
 * reminder whose deadline passed shows "Overdue" in words with the date; in CHECK_INS a mid-cycle review
 * reminder shows the review with its deadline and team page, and "Mark as held" records it in goals and
 * takes it off the list. Reminders reach goals as the cycle worker sends them, over Kafka.
 */
const suite = browserStackPerSuite();
const DAY = 86_400_000;

describe("my work's deadlines and mid-cycle review in a browser", () => {
  it("shows an overdue drafting deadline, then a mid-cycle review marked as held from the page", {
    timeout: 480_000,
  }, async () => {
    const { stack, page, pageErrors } = suite;
    const { call, services, cycle, team } = stack;
    const goals = services.goals;
    const adaId: string = (await call(goals, "GET", `/teams/${team.id}`)).leaderIds[0];
    const producer = goals.runtime.bus.producer();
    await producer.connect();
    /** Publishes a reminder to Ada about Lending, as the cycle worker does, and waits until goals has it. */
    const remindAda = async (fields: Record<string, unknown>) => {
      const data = {
        cycleId: cycle.id,
        teamId: team.id,
        recipient: { kind: "person", id: adaId },
        escalation: false,
        message: "A reminder from the cycle run.",
        ...fields,
      } as EventData<typeof ReminderDue>;
      const event = await sendEvent(producer, ReminderDue, data, stack.tenantId, { id: randomUUID() });
      await waitFor(
        "goals to store the reminder",
        async () =>
          (await goals.runtime.pool.query("select 1 from cycle_reminders where id = $1", [event.id]))
            .rowCount === 1,
      );
    };
    try {
      const missed = new Date(Date.now() - 2 * DAY - 3_600_000).toISOString();
      await remindAda({ phase: "SETTING", action: "draft-objectives", dueAt: missed });
      await signIn(page, stack);
      const drafting = page.getByRole("listitem").filter({
        has: page.getByRole("link", { name: `Submit ${team.name}'s objectives` }),
      });
      await drafting.getByText("Overdue:").waitFor();
      expect(await drafting.textContent()).toMatch(/Overdue: was due 2 days ago \(.+\)/);
      expect(await drafting.locator("time").getAttribute("datetime")).toBe(missed);
      await checkPage(page, "my-work-overdue");

      await call(goals, "POST", `/cycles/${cycle.id}/phase`, { phase: "CHECK_INS" });
      const reviewBy = new Date(Date.now() + 10 * DAY + 3_600_000).toISOString();
      await remindAda({ phase: "CHECK_INS", action: "mid-cycle-review", dueAt: reviewBy });
      await page.reload();
      const review = page.getByRole("listitem").filter({
        has: page.getByRole("link", { name: `Hold ${team.name}'s mid-cycle review` }),
      });
      await review.waitFor();
      expect(await review.textContent()).toMatch(/due in 10 days \(.+\)/);
      expect(await review.textContent()).not.toContain("Overdue");
      expect(
        await review.getByRole("link", { name: `Hold ${team.name}'s mid-cycle review` }).getAttribute("href"),
      ).toBe(`/cycles/${cycle.id}/teams/${team.id}`);
      await checkPage(page, "my-work-mid-cycle-review");

      await review.getByRole("button", { name: /Mark as held/ }).click();
      await review.waitFor({ state: "detached" });
      expect(await page.getByRole("alert").count()).toBe(0);
      // Goals has it, recorded by Ada: asking again answers that record.
      const again = await call(goals, "POST", `/cycles/${cycle.id}/teams/${team.id}/mid-cycle-review`, {});
      expect(again).toMatchObject({ cycleId: cycle.id, teamId: team.id, heldBy: adaId, note: null });
      expect(pageErrors).toEqual([]);
    } finally {
      await producer.disconnect();
    }
  });
});
