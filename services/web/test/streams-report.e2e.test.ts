import { readFileSync } from "node:fs";
import { bindToFlowEfficiency, mortgageApprovalStream } from "@okr/e2e-tests/support";
import { describe, expect, it } from "vitest";
import { checkPage as check } from "./support/browser.ts";
import { browserStackPerSuite } from "./support/browser-stack.ts";
import { signIn } from "./support/sign-in.ts";

/**
 * The value-stream pages and the quarter's report in headless Chromium on the real stack (goals,
 * value-stream and scoring behind the web app): a stream made through the value-stream API shows its map
 * and figures, the report shows the cycle's figures, and its CSV download holds the cycle's rows.
 */
const suite = browserStackPerSuite({ flowServices: true });

const checkPage = (name: string) => check(suite.page, name);

/** The figure a metrics list shows under `label`. */
const figure = (label: string) =>
  suite.page
    .locator("dl.figures > div")
    .filter({ has: suite.page.getByText(label, { exact: true }) })
    .locator("dd");

describe("value streams and the quarter's report in a browser", () => {
  it("shows a value stream's map, figures, kaizens and bound key result, then the cycle's report and its CSV", {
    timeout: 420_000,
  }, async () => {
    const { stack, page, context, pageErrors } = suite;
    const { call, services } = stack;
    const valueStream = services.valueStream as NonNullable<typeof services.valueStream>;
    const goals = services.goals;

    await signIn(page, stack);
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Value streams" }).click();
    await page.getByText("No value streams yet").waitFor();
    await checkPage("value-streams-empty");

    // Three value-adding steps of 10 minutes with 30 minutes of waiting before each, 20 a day in 480 minutes.
    const stream = await mortgageApprovalStream(call, valueStream);
    // Two work items of the last hours: M-1 through every step (done), M-2 at work in the first.
    const steps: { id: string }[] = (await call(valueStream, "GET", `/maps/${stream.currentMapId}`)).steps;
    await call(valueStream, "POST", `/streams/${stream.id}/work-items`, {
      items: [
        { id: "M-1", type: "feature" },
        { id: "M-2", type: "feature" },
      ],
    });
    const base = Date.now() - 3 * 3_600_000;
    const at = (minutes: number) => new Date(base + minutes * 60_000).toISOString();
    const walk = steps.flatMap((step, i) =>
      (["entered", "started", "completed"] as const).map((kind, k) => ({
        itemId: "M-1",
        stepId: step.id,
        kind,
        at: at(i * 40 + [0, 10, 30][k]!),
      })),
    );
    const firstStep = steps[0]?.id as string;
    await call(valueStream, "POST", `/streams/${stream.id}/events`, {
      events: [
        ...walk,
        { itemId: "M-2", stepId: firstStep, kind: "entered", at: at(150) },
        { itemId: "M-2", stepId: firstStep, kind: "started", at: at(160) },
      ],
    });
    await call(valueStream, "POST", `/streams/${stream.id}/kaizens`, {
      title: "Underwrite in pairs",
      hypothesis: "if two underwriters decide together, fewer offers come back for rework",
      targetCondition: "offers go out right the first time",
      successCriteria: [{ metric: "lead-time", comparator: "at-most", target: 100 }],
    });
    await bindToFlowEfficiency(call, valueStream, stream.id, stack.objective.keyResultId);

    await page.reload();
    await page.getByRole("heading", { level: 2, name: "Mortgages" }).waitFor();
    await checkPage("value-streams");

    await page.getByRole("link", { name: "Mortgage approval" }).click();
    await page.getByRole("heading", { level: 1, name: "Mortgage approval" }).waitFor();
    const map = page.getByRole("img", { name: /^Value stream map of Mortgage approval: 3 steps/ });
    await map.waitFor();
    // The SVG came through the web app and was drawn (an image that failed has no natural width).
    await expect
      .poll(() => map.evaluate((img) => (img as { naturalWidth: number }).naturalWidth))
      .toBeGreaterThan(0);
    // 30 minutes of work in 120 of lead time (0.25 of a 480-minute day); takt 480 / 20; 0.9 cubed %C&A.
    expect(await figure("Process time").textContent()).toBe("30 min");
    expect(await figure("Lead time").textContent()).toBe("0.3 d2 h");
    expect(await figure("Flow efficiency").textContent()).toMatch(/^25 %/);
    expect(await figure("Takt time").textContent()).toMatch(/^24 min/);
    expect(await figure("Rolled %C&A").textContent()).toBe("72.9 %");
    expect(await figure("WIP").textContent()).toMatch(/^1average/);
    expect(await figure("Throughput").textContent()).toMatch(/1 done$/);
    expect(await page.getByRole("row").filter({ hasText: "Underwrite" }).first().textContent()).toMatch(
      /Underwrite.*value adding.*10 min/,
    );
    await page
      .getByRole("region", { name: "Planned experiments" })
      .getByText("Underwrite in pairs")
      .waitFor();
    const bound = page.getByRole("link", { name: stack.objective.keyResultTitle });
    await bound.waitFor();
    expect(await page.getByRole("listitem").filter({ has: bound }).textContent()).toMatch(/^Flow efficiency/);
    await checkPage("value-stream");

    await bound.click();
    await page.getByRole("heading", { level: 1, name: stack.objective.keyResultTitle }).waitFor();

    // A stream that does not exist: value-stream's 404 in the page's error state.
    await page.goto(`${stack.webUrl}/value-streams/00000000-0000-4000-8000-000000000000`);
    await page.getByRole("alert").filter({ hasText: "does not exist" }).waitFor();
    await checkPage("value-stream-not-found");

    // The report: check-ins on two of the cycle's three key results, one note a would-be formula.
    const secondKr = (await call(goals, "GET", `/cycles/${stack.cycle.id}/alignment-tree`)).roots[0]
      .keyResults[1];
    await call(goals, "POST", `/key-results/${secondKr.id}/check-ins`, {
      value: 70,
      confidence: 0.6,
      note: '=HYPERLINK("https://evil.example")',
      evidence: { url: "https://crm.example/offers" },
    });
    // The bound key result checked in by hand too, so the figures do not hang on when its system check-in
    // (from the binding) lands.
    await call(goals, "POST", `/key-results/${stack.objective.keyResultId}/check-ins`, {
      value: 12,
      confidence: 0.8,
      note: "two teams on trunk-based development",
      evidence: { url: "https://grafana.example/lead-time" },
    });
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Cycles" }).click();
    await page.getByRole("link", { name: stack.cycle.name }).click();
    await page.getByRole("link", { name: "The quarter's report" }).click();
    await page.getByRole("heading", { level: 1, name: `${stack.cycle.name}: quarter report` }).waitFor();
    expect(await figure("Objectives").textContent()).toBe("2");
    const kinds = page.getByRole("region", { name: "Committed and aspirational" });
    const kindRow = (kind: RegExp) => kinds.getByRole("row").filter({ hasText: kind }).textContent();
    expect(await kindRow(/^committed/)).toMatch(/^committed1/);
    expect(await kindRow(/^aspirational/)).toMatch(/^aspirational1/);
    const discipline = page.getByRole("region", { name: "Check-in discipline per team" });
    await discipline.getByRole("row").filter({ hasText: "Lending" }).filter({ hasText: "2 of 3" }).waitFor();
    await page.getByText("No later cycle yet").waitFor();
    await checkPage("quarter-report");

    const csvUrl = `${stack.webUrl}/exports/cycles/${stack.cycle.id}/okrs.csv`;
    const answer = await context.request.get(csvUrl);
    expect(answer.status()).toBe(200);
    expect(answer.headers()["content-type"]).toBe("text/csv; charset=utf-8");
    expect(answer.headers()["content-disposition"]).toMatch(/^attachment; filename=".+-okrs\.csv"$/);

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "Download objectives, key results and check-ins (CSV)" }).click(),
    ]);
    const csv = readFileSync(await download.path(), "utf8").replace(/^\uFEFF/, "");
    const lines = csv.split("\r\n").filter(Boolean);
    expect(lines[0]).toMatch(/^record,objective_id,objective,kind,/);
    const records = lines.slice(1).map((line) => line.split(",")[0]);
    expect(records.filter((r) => r === "objective")).toHaveLength(2);
    expect(records.filter((r) => r === "key result")).toHaveLength(3);
    expect(records.filter((r) => r === "check-in").length).toBeGreaterThanOrEqual(2);
    const manual = lines.find((line) => line.includes("https://crm.example/offers")) ?? "";
    expect(manual).toContain(`"'=HYPERLINK(""https://evil.example"")"`);
    expect(manual).toMatch(/^check-in,.*,Decide mortgages faster,committed,/);

    // A later cycle with nothing in it: its report's empty states, and this cycle's report knows it.
    const later = await call(goals, "POST", "/cycles", {
      name: `next-${stack.cycle.name}`,
      startsAt: (await call(goals, "GET", `/cycles/${stack.cycle.id}`)).endsAt,
      endsAt: new Date(Date.now() + 150 * 86_400_000).toISOString(),
      timeZone: "Europe/Berlin",
    });
    await page.goto(`${stack.webUrl}/cycles/${later.id}/report`);
    await page.getByText("No objectives in this cycle yet.").waitFor();
    await checkPage("quarter-report-empty");
    await page.goto(`${stack.webUrl}/cycles/${stack.cycle.id}/report`);
    await page.getByText(`${later.name} carries no key result of this cycle.`).waitFor();

    // The later cycle carries one key result on: this cycle's report names it and links the new one.
    await call(goals, "POST", "/objectives", {
      cycleId: later.id,
      title: "Offer right the first time",
      kind: "committed",
      owner: { kind: "team", id: stack.team.id },
      keyResults: [
        {
          title: "Raise first-time-right offers further",
          type: "increase-to",
          baseline: 70,
          target: 95,
          unit: "%",
          carriedFromKeyResultId: secondKr.id,
        },
      ],
    });
    await page.reload();
    const carried = page.getByRole("region", { name: "Carried forward" }).getByRole("listitem");
    await carried.waitFor();
    expect(await carried.textContent()).toMatch(
      /^Raise first-time-right offers → Raise first-time-right offers further in next-.*, under “Offer right the first time”$/,
    );
    expect(pageErrors).toEqual([]);
  });
});
