import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  checkPage as checkPageIn,
  collectPageErrors,
  desktopViewport,
  launchChromium,
} from "./support/browser.ts";
import { MEMBER, PERSON, startWebStack, type WebStack } from "./support/stack.ts";

/**
 * The web app in headless Chromium on the real stack: sign in through the identity provider's own form,
 * my work (goals' /me/work, the home page), the cycle's OKR tree, a key result's check-in form (a
 * check-in without evidence is held back with the rule under its field, an accepted one appears in the
 * history), sign-out. Each page is screenshotted at desktop and phone width and checked with axe-core.
 */
let stack: WebStack;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  [stack, browser] = await Promise.all([startWebStack(), launchChromium()]);
  context = await browser.newContext({ viewport: desktopViewport });
  page = await context.newPage();
  collectPageErrors(page, stack.webUrl, pageErrors);
}, 600_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await stack?.stop();
});

const checkPage = (name: string) => checkPageIn(page, name);

describe("the web app in a browser", () => {
  // Chromium and the stack share two cores with the rest of `npm test`: each step may wait up to 30 s.
  it("signs a person in through the provider, shows the OKR tree, takes a check-in and signs out", {
    timeout: 300_000,
  }, async () => {
    await page.goto(stack.webUrl);
    await page.getByRole("link", { name: "Sign in" }).waitFor();
    await checkPage("sign-in");

    await page.getByRole("link", { name: "Sign in" }).click();
    await page.getByLabel("Email").fill(stack.email);
    await page.getByLabel("Password").fill(PERSON.password);
    await page.getByRole("button", { name: "Sign in" }).click();

    // Home is my work: the cycle is SETTING and the person leads Lending, whose two objectives are drafts.
    await page.getByRole("heading", { level: 1, name: "My work" }).waitFor();
    await page.getByRole("link", { name: "Submit Lending's objectives (2 of 2 not submitted)" }).waitFor();
    expect(await page.getByText(`Signed in as ${PERSON.name}`).isVisible()).toBe(true);
    // Goals' /me linked the sign-in to the person with its verified email, and knows their team.
    await page.getByText("Lending (lead)").waitFor();
    await checkPage("my-work");

    // Underwriting's objective contributes to Lending's first key result; one of its key results is Sam's.
    await stack.call(stack.services.goals, "POST", "/objectives", {
      cycleId: stack.cycle.id,
      title: "Score applications automatically",
      kind: "committed",
      owner: { kind: "team", id: stack.childTeam.id },
      contributesToKeyResultId: stack.objective.keyResultId,
      keyResults: [
        { title: "Scored applications", type: "increase-to", baseline: 0, target: 80, unit: "%" },
        {
          title: "Files reviewed by hand",
          type: "increase-to",
          baseline: 0,
          target: 20,
          unit: "files",
          owner: { kind: "person", id: stack.member.id },
        },
      ],
    });

    await page.getByRole("link", { name: "All cycles" }).click();
    const cycleLink = page.getByRole("link", { name: stack.cycle.name });
    await cycleLink.waitFor();
    await checkPage("cycles");

    await cycleLink.click();
    await page.getByRole("heading", { level: 3, name: stack.objective.title }).waitFor();
    expect(await page.getByRole("heading", { level: 3, name: stack.child.title }).isVisible()).toBe(true);
    expect(await page.getByText("Mortgages decided within a day").isVisible()).toBe(true);
    await checkPage("okr-tree");

    await page.getByLabel("Filter objectives and key results").fill("underwriting");
    await page.getByRole("link", { name: stack.objective.keyResultTitle }).waitFor({ state: "detached" });
    // The aligned objective matches, so the branch above it stays to show where it belongs.
    expect(await page.getByRole("heading", { level: 3, name: stack.child.title }).isVisible()).toBe(true);
    expect(await page.getByRole("heading", { level: 3, name: stack.objective.title }).isVisible()).toBe(true);
    await page.getByLabel("Filter objectives and key results").fill("");
    await page.getByRole("heading", { level: 3, name: "Score applications automatically" }).waitFor();

    // By team: Underwriting's objective, and Lending's above it only as the way there.
    const heading = (name: string) => page.getByRole("heading", { level: 3, name });
    const link = (name: string) => page.getByRole("link", { name });
    await page.getByLabel("Team", { exact: true }).selectOption({ label: "Underwriting" });
    await page.getByRole("status").filter({ hasText: "1 of 3 objectives match" }).waitFor();
    expect(await heading(stack.child.title).count()).toBe(0);
    expect(await heading(stack.objective.title).isVisible()).toBe(true);
    expect(await heading("Score applications automatically").isVisible()).toBe(true);
    expect(await link("Raise first-time-right offers").count()).toBe(0);
    expect(await link(stack.objective.keyResultTitle).isVisible()).toBe(true);
    expect(await link("Scored applications").isVisible()).toBe(true);
    expect(new URL(page.url()).searchParams.get("team")).toBe(stack.childTeam.id);
    await checkPage("okr-tree-by-team");

    // By person: only Sam's key result under Underwriting's objective, kept in the address over a reload.
    await page.getByLabel("Team", { exact: true }).selectOption({ label: "Any team" });
    await page.getByLabel("Person", { exact: true }).selectOption({ label: MEMBER.name });
    await link("Scored applications").waitFor({ state: "detached" });
    await page.reload();
    await link("Files reviewed by hand").waitFor();
    await page.getByRole("status").filter({ hasText: "1 of 3 objectives match" }).waitFor();
    expect(await page.getByLabel("Person", { exact: true }).inputValue()).toBe(stack.member.id);
    expect(await link("Scored applications").count()).toBe(0);
    expect(await heading(stack.child.title).count()).toBe(0);
    expect(await heading("Score applications automatically").isVisible()).toBe(true);
    await checkPage("okr-tree-by-person");

    // With the state too: nothing of Sam's is approved yet, and clearing brings every objective back.
    await page.getByLabel("State", { exact: true }).selectOption({ label: "approved" });
    await page.getByText("No objective or key result matches these filters.").waitFor();
    await page.getByRole("button", { name: "Clear filters" }).click();
    await heading(stack.child.title).waitFor();
    expect(new URL(page.url()).search).toBe("");
    // Focus goes back to the text filter, not to the page, once the button has gone.
    expect(await page.evaluate("document.activeElement.id")).toBe("tree-filter");

    await page.getByRole("link", { name: stack.objective.keyResultTitle }).click();
    await page.getByRole("heading", { level: 1, name: stack.objective.keyResultTitle }).waitFor();
    await page.getByText("No check-ins yet").waitFor();
    // Before any check-in the chart shows where the KR should be: the cycle began 30 of its 90 days ago,
    // so a third of the way from 20 to 5 days.
    const chart = page.locator(".kr-chart").getByRole("img");
    await chart.waitFor();
    expect(await chart.getAttribute("aria-label")).toBe(
      "No check-ins yet; from 20 to 5 days, on pace 15 days today",
    );
    await checkPage("key-result-empty");

    // Without evidence the form holds the check-in back: goals-domain's rule (the one goals runs) under
    // the field, and nothing sent.
    await page.getByLabel("Value (days)").fill("11");
    await page.getByLabel("Confidence (%)").fill("70");
    await page.getByLabel("Note").fill("two teams on trunk-based development");
    await page.getByRole("button", { name: "Save check-in" }).click();
    const evidenceRule = page.locator("#check-in-evidence-rule");
    await evidenceRule.waitFor();
    expect(await evidenceRule.textContent()).toMatch(/must carry evidence/);
    expect(await page.getByLabel("Evidence link").getAttribute("aria-invalid")).toBe("true");
    expect(await page.getByRole("alert").count()).toBe(0);
    expect(await page.getByText("No check-ins yet").count()).toBe(1);
    await checkPage("check-in-refused");

    await page.getByLabel("Evidence link").fill("https://grafana.example/lead-time");
    await page.getByRole("button", { name: "Save check-in" }).click();
    await page.getByRole("status").filter({ hasText: "Check-in saved." }).waitFor();
    const row = page.getByRole("row").filter({ hasText: "two teams on trunk-based development" });
    await row.waitFor();
    expect(await row.textContent()).toMatch(/11 days.*70 %/);
    expect(await page.getByRole("alert").count()).toBe(0);
    // The chart: the check-in against the pacing line, today and the current value, said in one sentence.
    await page.getByRole("img", { name: /^Value 11 days/ }).waitFor();
    expect(await chart.getAttribute("aria-label")).toBe(
      "Value 11 days, target 5 days, ahead of pace (expected 15 days today)",
    );
    expect(await chart.locator("path.pace").count()).toBe(1);
    expect(await chart.locator("circle.point").count()).toBe(1);
    expect(await chart.locator(".today line").count()).toBe(1);
    expect(await chart.locator(".current text").textContent()).toBe("11 days");
    await checkPage("key-result");

    // A key result that does not exist: goals' 404 detail in the page's error state.
    await page.goto(`${stack.webUrl}/key-results/00000000-0000-4000-8000-000000000000`);
    await page.getByRole("alert").filter({ hasText: "does not exist" }).waitFor();
    // Asking again cannot change a 404: the way out is offered instead of a retry.
    expect(await page.getByRole("button", { name: "Try again" }).count()).toBe(0);
    await page.getByRole("link", { name: "Back to my work" }).waitFor();
    await checkPage("key-result-not-found");

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL((url) => url.toString().startsWith(stack.issuer));
    const session = await context.request.get(`${stack.webUrl}/auth/session`);
    expect(await session.json()).toEqual({ signedIn: false });
    // The provider asks before it ends its own session; after that, signing in asks for the password again.
    await page.getByRole("button", { name: /sign me out/i }).click();
    await page.goto(stack.webUrl);
    await page.getByRole("link", { name: "Sign in" }).click();
    await page.getByLabel("Password").waitFor();
    expect(pageErrors).toEqual([]);
  });
});
