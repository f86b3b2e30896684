import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { checkPage } from "./support/browser.ts";
import { browserStackPerSuite } from "./support/browser-stack.ts";
import { signIn } from "./support/sign-in.ts";

/**
 * A team's retrospective in headless Chromium on the real stack: with the cycle in RETROSPECTIVE, Ada
 * (who leads Lending) follows her my-work item to the page, is refused an empty retrospective by goals'
 * 422 shown on the form, writes one carrying a key result forward (checkbox by keyboard), sees it saved
 * and read back from goals; once the next cycle holds the carried draft the page lists it and links the
 * team's objectives there. The team page links the page too, and a team that does not exist is the
 * error state. Each state is screenshotted and checked with axe.
 */
const suite = browserStackPerSuite();

interface RetrospectiveView {
  wentWell: string;
  didNotGoWell: string;
  lessons: string;
  carryForwardKeyResultIds: string[];
}

describe("a team's retrospective in a browser", () => {
  it("is written from my work, refused when empty, saved with a carry-forward, and shows the next cycle's draft", {
    timeout: 480_000,
  }, async () => {
    const { stack, page, pageErrors } = suite;
    const { call, services, cycle, team, objective } = stack;
    const goals = services.goals;
    await call(goals, "POST", `/cycles/${cycle.id}/phase`, { phase: "RETROSPECTIVE" });

    await signIn(page, stack);
    await page.getByRole("link", { name: `Write ${team.name}'s retrospective` }).click();
    await page
      .getByRole("heading", { level: 1, name: `${team.name}'s retrospective of ${cycle.name}` })
      .waitFor();
    await page.getByText("The team has not written its retrospective of this cycle yet.").waitFor();
    await page.getByText("There is no next cycle yet").waitFor();
    // Every key result of the team is offered with its score; none has a check-in, so each is unfinished
    // (not scored, or scored 0 when a scoring service has seen it: other suites run one on the same broker).
    const choice = page.getByRole("checkbox", { name: objective.keyResultTitle });
    expect(await choice.isChecked()).toBe(false);
    const choiceRow = page.getByRole("listitem").filter({ has: choice });
    expect(await choiceRow.textContent()).toMatch(/not scored|score 0\.0/);
    expect(await choiceRow.textContent()).toContain("unfinished");
    await checkPage(page, "retrospective-new");

    // Nothing written: goals' 422 is shown on the form, and the field it names is marked.
    await page.getByRole("button", { name: "Save the retrospective" }).click();
    const refused = page.getByRole("alert");
    await refused.waitFor();
    expect(await refused.textContent()).toContain(
      "say at least what went well, what did not, or what was learned",
    );
    expect(await page.getByLabel("What went well").getAttribute("aria-invalid")).toBe("true");
    await checkPage(page, "retrospective-refused");

    await page.getByLabel("What went well").fill("Lead time fell every month.");
    await page.getByLabel("What did not go well").fill("Manual checks still pile up on Fridays.");
    await page.getByLabel("Lessons").fill("Measure the queue, not only the lead time.");
    await choice.focus();
    await page.keyboard.press("Space");
    expect(await choice.isChecked()).toBe(true);
    await page.getByRole("button", { name: "Save the retrospective" }).focus();
    await page.keyboard.press("Enter");
    await page.getByRole("status").filter({ hasText: "Retrospective saved." }).waitFor();
    const saved = page.getByRole("region", { name: "The team's retrospective" });
    await saved.getByText("Manual checks still pile up on Fridays.").waitFor();
    expect(await saved.getByRole("list", { name: "Proposed to carry forward" }).textContent()).toBe(
      objective.keyResultTitle,
    );
    expect(await page.getByRole("alert").count()).toBe(0);
    const { items } = (await call(goals, "GET", `/cycles/${cycle.id}/retrospectives?teamId=${team.id}`)) as {
      items: RetrospectiveView[];
    };
    expect(items).toEqual([
      expect.objectContaining({
        wentWell: "Lead time fell every month.",
        didNotGoWell: "Manual checks still pile up on Fridays.",
        lessons: "Measure the queue, not only the lead time.",
        carryForwardKeyResultIds: [objective.keyResultId],
      }),
    ]);

    // The next cycle, and the draft the cycle workflow makes of the proposal when the phase ends
    // (services/cycle-worker's carry-forward: the key result's definition from where it ended, naming it).
    const next = await call(goals, "POST", "/cycles", {
      name: `next-${cycle.name}`,
      startsAt: (await call(goals, "GET", `/cycles/${cycle.id}`)).endsAt,
      endsAt: new Date(Date.now() + 150 * 86_400_000).toISOString(),
      timeZone: "Europe/Berlin",
    });
    await page.reload();
    await page.getByText(`${next.name} holds no draft of this team's key results yet`).waitFor();
    await call(goals, "POST", "/objectives", {
      cycleId: next.id,
      title: objective.title,
      kind: "committed",
      owner: { kind: "team", id: team.id },
      keyResults: [
        {
          title: objective.keyResultTitle,
          type: "decrease-to",
          baseline: 20,
          target: 5,
          unit: "days",
          carriedFromKeyResultId: objective.keyResultId,
        },
      ],
    });
    const drafts = (await call(goals, "GET", `/objectives?cycleId=${next.id}&teamId=${team.id}`)) as {
      items: { state: string; keyResults: { carriedFromKeyResultId: string | null }[] }[];
    };
    expect(drafts.items.map((o) => [o.state, o.keyResults.map((kr) => kr.carriedFromKeyResultId)])).toEqual([
      ["draft", [objective.keyResultId]],
    ]);
    await page.reload();
    const carried = page.getByRole("list", { name: `Drafts in ${next.name}` }).getByRole("listitem");
    await carried.waitFor();
    expect(await carried.textContent()).toBe(
      `${objective.keyResultTitle} under “${objective.title}” (draft)`,
    );
    await saved.waitFor();
    await checkPage(page, "retrospective-saved");
    await page.getByRole("link", { name: `The team's objectives in ${next.name}` }).click();
    await page.getByRole("heading", { level: 1, name: new RegExp(`${team.name}'s objectives`) }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/cycles/${next.id}/teams/${team.id}/objectives`);

    // Written: my work no longer asks for it, and the team page leads back to it.
    await page.goto(stack.webUrl);
    await page.getByRole("heading", { level: 1, name: "My work" }).waitFor();
    await page
      .getByRole("link", { name: `${team.name}'s team page` })
      .first()
      .waitFor();
    expect(await page.getByRole("link", { name: `Write ${team.name}'s retrospective` }).count()).toBe(0);
    await page.goto(`${stack.webUrl}/cycles/${cycle.id}/teams/${team.id}`);
    await page.getByRole("link", { name: "Retrospective" }).click();
    await page.getByRole("textbox", { name: "Lessons" }).waitFor();
    expect(await page.getByLabel("Lessons").inputValue()).toBe("Measure the queue, not only the lead time.");
    expect(await page.getByRole("checkbox", { name: objective.keyResultTitle }).isChecked()).toBe(true);

    // A team that does not exist: the error state, with its problem.
    await page.goto(`${stack.webUrl}/cycles/${cycle.id}/teams/${randomUUID()}/retrospective`);
    const missing = page.getByRole("alert");
    await missing.waitFor();
    expect(await missing.textContent()).toMatch(/not found/i);
    await checkPage(page, "retrospective-missing-team");
    expect(pageErrors).toEqual([]);
  });
});
