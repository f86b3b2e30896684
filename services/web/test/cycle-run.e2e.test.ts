import { type PhaseDurations, startCycleRun, workflowIds } from "@okr/cycle-workflows";
import { type CycleWorker, startCycleWorker } from "@okr/e2e-tests/cycle-worker";
import { tenantCaller } from "@okr/e2e-tests/support";
import { scoringService } from "@okr/scoring-service/service";
import { startTestService, type TestService, uniqueName } from "@okr/testkit";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkPage as checkAppPage, launchChromium, openAppPage } from "./support/browser.ts";
import { signIn } from "./support/sign-in.ts";
import { startWebStack, type WebStack } from "./support/stack.ts";

/**
 * The cycle run and the team page in headless Chromium on the real stack: the cycle runs on the
 * Temporal dev server with the cycle worker's real activities (goals and scoring over HTTP). The admin
 * sees the phase and each team's drafting, pauses and resumes and advances the cycle through the
 * confirmation dialogs, and opens a team's page: its objectives with their scores, the team below it
 * as a heatmap, and the key results no one has checked in on.
 */

// Phases long enough that only the admin's clicks move the cycle while the test looks at it.
const SHORTENED: PhaseDurations = {
  settingSeconds: 900,
  teamDraftingSeconds: 900,
  escalationGraceSeconds: 60,
  checkInsSeconds: 900,
  checkInIntervalSeconds: 300,
};

const taskQueue = uniqueName("okr-cycles-web");
let stack: WebStack;
let scoring: TestService<unknown>;
let worker: CycleWorker | undefined;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let pageErrors: string[] = [];
const subTeam = { id: "", name: "Credit risk", objective: "Automate credit checks" };
let idleCycleId: string;
let subObjectiveId: string;

beforeAll(async () => {
  [stack, browser, scoring] = await Promise.all([
    startWebStack(),
    launchChromium(),
    startTestService(scoringService),
  ]);
  worker = await startCycleWorker({ goals: stack.services.goals, scoring, taskQueue });
  const call = tenantCaller(stack.tenantId, "web-cycle-run-test");
  // Ada leads Credit risk too, so she submits its objectives through the run and approves them; one
  // objective is enough for a team here (the policy warns below three instead of refusing).
  await call(stack.services.goals, "PUT", "/organization/policy", {
    objectivesPerOwner: { min: 3, max: 5, enforcement: "warn" },
    keyResultsPerObjective: { min: 1, max: 5, enforcement: "reject" },
    scoringPolicyId: "default",
    checkInCadence: { weekday: 1, hour: 9, everyDays: 7 },
  });
  const lending = await call(stack.services.goals, "GET", `/teams/${stack.team.id}`);
  const underwriting = await call(stack.services.goals, "POST", "/teams", {
    name: subTeam.name,
    parentTeamId: stack.team.id,
    leaderIds: lending.leaderIds,
  });
  subTeam.id = underwriting.id;
  subObjectiveId = (
    await call(stack.services.goals, "POST", "/objectives", {
      cycleId: stack.cycle.id,
      title: subTeam.objective,
      kind: "committed",
      owner: { kind: "team", id: underwriting.id },
      keyResults: [
        { title: "Checks automated", type: "increase-to", baseline: 0, target: 10, unit: "checks" },
      ],
    })
  ).id;
  // A cycle no one has started a run of: its run page says so.
  idleCycleId = (
    await call(stack.services.goals, "POST", "/cycles", {
      name: "2027-Q1",
      startsAt: "2027-01-01T00:00:00.000Z",
      endsAt: "2027-04-01T00:00:00.000Z",
      timeZone: "Europe/Berlin",
    })
  ).id;
  // A check-in scores Lending's objective (through scoring's events): the team page shows its band.
  await call(stack.services.goals, "POST", `/key-results/${stack.objective.keyResultId}/check-ins`, {
    value: 14,
    confidence: 0.6,
    note: "first lanes automated",
    evidence: { url: "https://grafana.example/lead-time" },
  });
  // The goals API would start the run on the default task queue; this test's worker polls its own.
  await startCycleRun(
    worker.client,
    stack.tenantId,
    { cycleId: stack.cycle.id, durations: SHORTENED, continueWithNextCycle: false },
    taskQueue,
  );

  ({ context, page, errors: pageErrors } = await openAppPage(browser, stack.webUrl));
}, 600_000);

afterAll(async () => {
  await worker?.client.workflow
    .getHandle(workflowIds.program(stack.tenantId))
    .terminate("web test done")
    .catch(() => undefined);
  await worker?.stop();
  await context?.close();
  await browser?.close();
  await Promise.all([stack?.stop(), scoring?.stop()]);
});

const checkPage = (name: string) => checkAppPage(page, name);

const currentStep = () => page.locator('.timeline [aria-current="step"] .step-name');

/** Opens the confirmation of `open`, checks it once if asked, and confirms with `confirm`. */
async function confirmAction(open: string, confirm: string, screenshot?: string) {
  await page.getByRole("button", { name: open }).click();
  const dialog = page.getByRole("dialog");
  await dialog.waitFor();
  if (screenshot) await checkPage(screenshot);
  await dialog.getByRole("button", { name: confirm }).click();
  await dialog.waitFor({ state: "detached" });
}

describe("the cycle run and the team page in a browser", () => {
  it("shows the run, pauses, resumes and advances it with confirmation, and shows a team's page", {
    timeout: 400_000,
  }, async () => {
    await signIn(page, stack);

    await page.goto(`${stack.webUrl}/cycles/${stack.cycle.id}`);
    await page.getByRole("link", { name: "Cycle run" }).click();
    await page.getByRole("heading", { level: 1, name: `Cycle run: ${stack.cycle.name}` }).waitFor();
    expect(await currentStep().textContent()).toBe("Setting");
    // Lending drafts in SETTING; Credit risk, below it, waits for CASCADE.
    const lending = page.getByRole("row").filter({ hasText: stack.team.name });
    await lending.filter({ hasText: "drafting" }).waitFor();
    await page.getByRole("row").filter({ hasText: subTeam.name }).filter({ hasText: "not open" }).waitFor();
    const temporal = page.getByRole("link", { name: /Temporal UI/ });
    expect(await temporal.getAttribute("href")).toBe(
      `http://127.0.0.1:8233/namespaces/default/workflows?query=${encodeURIComponent(`OkrCycle="${stack.cycle.id}"`)}`,
    );
    await checkPage("cycle-run");

    // Cancel sends nothing; confirming pauses, and the page says so.
    await page.getByRole("button", { name: "Pause the cycle…" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Cancel" }).click();
    await page.getByRole("dialog").waitFor({ state: "detached" });
    expect(await page.getByText("No deadline runs out until it resumes").count()).toBe(0);
    await confirmAction("Pause the cycle…", "Yes, pause", "cycle-run-confirm-pause");
    await page.getByRole("status").filter({ hasText: "The cycle is paused." }).waitFor();
    await page.getByText("No deadline runs out until it resumes").waitFor();
    expect(await page.locator('.timeline [aria-current="step"] .step-state').textContent()).toBe(
      "current, paused",
    );
    await checkPage("cycle-run-paused");

    await confirmAction("Resume the cycle…", "Yes, resume");
    await page.getByRole("status").filter({ hasText: "The cycle runs again." }).waitFor();
    await page.getByText("No deadline runs out until it resumes").waitFor({ state: "detached" });

    await confirmAction("Advance to Cascade…", "Yes, advance to Cascade", "cycle-run-confirm-advance");
    // The run moves on its own time (the workflow closes Setting's drafting first); the page follows.
    await page.getByRole("status").filter({ hasText: "The cycle moved on to Cascade." }).waitFor();
    expect(await currentStep().textContent()).toBe("Cascade");
    expect(await page.locator(".timeline .step.done .step-name").allTextContents()).toEqual(["Setting"]);
    // Lending's drafting closed with the phase; Credit risk's opens in CASCADE.
    await page.getByRole("row").filter({ hasText: subTeam.name }).filter({ hasText: "drafting" }).waitFor();
    await checkPage("cycle-run-advanced");

    await lending.getByRole("link", { name: stack.team.name }).click();
    await page.getByRole("heading", { level: 1, name: stack.team.name }).waitFor();
    await page.getByRole("heading", { level: 3, name: stack.objective.title }).waitFor();
    const heatRow = page.getByRole("row").filter({ hasText: subTeam.name });
    expect(await heatRow.textContent()).toContain(subTeam.objective);
    // Lending's other key result has no check-in; the one checked in above is not listed.
    const missing = page.getByRole("list", { name: "Key results without a recent check-in" });
    await missing.getByRole("link", { name: "Raise first-time-right offers" }).waitFor();
    expect(await missing.getByText(stack.objective.keyResultTitle).count()).toBe(0);
    // The score arrives through scoring's events: the objective's chip shows its band.
    await expect
      .poll(
        async () => {
          await page.reload();
          await page.getByRole("heading", { level: 3, name: stack.objective.title }).waitFor();
          return page
            .locator(".objective-card .band-red, .objective-card .band-yellow, .objective-card .band-green")
            .count();
        },
        { timeout: 60_000, interval: 2_000 },
      )
      .toBeGreaterThan(0);
    await checkPage("team");

    // The team below links to its own page, where nothing is below it.
    await page.getByRole("link", { name: subTeam.name }).click();
    await page.getByRole("heading", { level: 1, name: subTeam.name }).waitFor();
    await page.getByText(`No teams below ${subTeam.name}.`).waitFor();
    await checkPage("team-leaf");

    // Credit risk's drafting is open in the run: its objectives go to the run together (not one by one),
    // and Ada, a leader of Lending above it, approves the submission as a whole.
    await page.goto(`${stack.webUrl}/cycles/${stack.cycle.id}/teams/${subTeam.id}/objectives`);
    const submitAll = page.getByRole("button", {
      name: `Submit ${subTeam.name}'s objectives (1) for approval`,
    });
    await submitAll.waitFor();
    expect(await page.getByRole("button", { name: /^Submit for approval/ }).count()).toBe(0);
    await checkPage("team-objectives-in-run");
    await submitAll.click();
    await page.getByRole("status").filter({ hasText: "Submitted in the cycle run" }).waitFor();
    await page.getByRole("link", { name: "review it" }).click();
    const approveAll = page.getByRole("button", { name: `Approve ${subTeam.name}'s submission` });
    await approveAll.waitFor();
    expect(await page.getByRole("button", { name: /^Approve “/ }).count()).toBe(0);
    await checkPage("approvals-in-run");
    await approveAll.click();
    await page.getByRole("status").filter({ hasText: "approved in the cycle run" }).waitFor();
    // The run approves the objective in goals through its activity.
    await expect
      .poll(
        async () => (await stack.call(stack.services.goals, "GET", `/objectives/${subObjectiveId}`)).state,
        {
          timeout: 60_000,
          interval: 1_000,
        },
      )
      .toBe("approved");

    await page.goto(`${stack.webUrl}/cycles/${idleCycleId}/run`);
    await page.getByText("This cycle is not running on the workflow engine.").waitFor();
    expect(await page.getByRole("button", { name: /Pause|Advance/ }).count()).toBe(0);
    await checkPage("cycle-run-not-running");
    // The admin starts it; the organization's program queues it behind the running cycle.
    await page.getByRole("button", { name: "Start the run…" }).click();
    await page.getByRole("button", { name: "Yes, start the run" }).click();
    await page.getByRole("status").filter({ hasText: "The run is started." }).waitFor();
    expect(await page.getByRole("button", { name: "Start the run…" }).count()).toBe(0);
    // A team that does not exist: goals' 404 in the page's error state, with the way back.
    await page.goto(`${stack.webUrl}/cycles/${stack.cycle.id}/teams/00000000-0000-4000-8000-000000000000`);
    await page.getByRole("alert").filter({ hasText: "does not exist" }).waitFor();
    await page.getByRole("link", { name: "Back to my work" }).waitFor();
    await checkPage("team-not-found");
    expect(pageErrors).toEqual([]);
  });
});
