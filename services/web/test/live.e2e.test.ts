import type { Browser, BrowserContext } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { desktopViewport, launchChromium, screenshots } from "./support/browser.ts";
import { signIn } from "./support/sign-in.ts";
import { startWebStack, type WebStack } from "./support/stack.ts";

/**
 * Live scores in a real browser on the real stack: a check-in made in one tab goes goals → Kafka → the
 * scoring service → its score event → the web app's /live stream, and the OKR tree open in another tab
 * shows the new score without a reload or a request of its own.
 */
let stack: WebStack;
let browser: Browser;
let context: BrowserContext;

beforeAll(async () => {
  [stack, browser] = await Promise.all([startWebStack({ live: true }), launchChromium()]);
  context = await browser.newContext({ viewport: desktopViewport });
}, 600_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await stack?.stop();
});

it("shows a check-in's new score on an open OKR tree without a reload", { timeout: 300_000 }, async () => {
  const tree = await context.newPage();
  await signIn(tree, stack);
  await tree.goto(`${stack.webUrl}/cycles/${stack.cycle.id}`);
  // The innermost list item holding the key result's link is its row (its objective's item holds it too).
  const krRow = tree
    .getByRole("listitem")
    .filter({ has: tree.getByRole("link", { name: stack.objective.keyResultTitle }) })
    .last();
  const objectiveChips = tree
    .getByRole("article", { name: stack.objective.title })
    .locator("header .chips")
    .first();
  // Scoring scores new key results at 0.0: the tree shows that (loaded, or already over /live).
  await krRow.getByText("0.0").waitFor({ timeout: 60_000 });
  await objectiveChips.getByText("0.0").waitFor({ timeout: 60_000 });
  // From here on the tree page asks the services nothing: what changes on it came over /live.
  const treeRequests: string[] = [];
  tree.on("request", (request) => {
    if (new URL(request.url()).pathname.startsWith("/api/")) treeRequests.push(request.url());
  });

  const form = await context.newPage();
  await form.goto(`${stack.webUrl}/key-results/${stack.objective.keyResultId}`);
  await form.getByRole("heading", { level: 1, name: stack.objective.keyResultTitle }).waitFor();
  // 20 → 5 days: 11 days is 60 % of the way.
  await form.getByLabel("Value (days)").fill("11");
  await form.getByLabel("Confidence (%)").fill("70");
  await form.getByLabel("Evidence link").fill("https://grafana.example/lead-time");
  await form.getByLabel("Note").fill("live score check");
  await form.getByRole("button", { name: "Save check-in" }).click();
  await form.getByRole("status").filter({ hasText: "Check-in saved." }).waitFor();

  await krRow.getByText("0.6").waitFor({ timeout: 60_000 });
  // The objective's weighted score moved with it: (0.6 + 0.0) / 2.
  await objectiveChips.getByText("0.3").waitFor({ timeout: 60_000 });
  expect(treeRequests).toEqual([]);
  await tree.bringToFront();
  await screenshots(tree, "okr-tree-live");
  // The form's own page shows it too once its score arrives (its refetch may have come before scoring).
  await form.locator("dl.facts").getByText("0.6").waitFor({ timeout: 60_000 });
});
