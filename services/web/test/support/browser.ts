import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { chromiumExecutable } from "@okr/native-infra/chromium";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { expect } from "vitest";

/** Screenshots of every page, desktop and phone width: test artefacts, ignored by git. */
export const ARTIFACTS_DIR = fileURLToPath(new URL("../../test-artifacts/", import.meta.url));

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

export async function launchChromium(): Promise<Browser> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  return chromium.launch({
    executablePath: chromiumExecutable(),
    headless: true,
    // Root (the CI machine) cannot use Chromium's user-namespace sandbox.
    args: ["--no-sandbox", "--disable-dev-shm-usage"],
  });
}

export async function screenshots(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${ARTIFACTS_DIR}${name}-desktop.png`, fullPage: true });
  await page.setViewportSize(PHONE);
  await page.screenshot({ path: `${ARTIFACTS_DIR}${name}-phone.png`, fullPage: true });
  await page.setViewportSize(DESKTOP);
}

export const desktopViewport = DESKTOP;

/** The page has no horizontal scrollbar at phone width: usable without sideways scrolling. */
export async function fitsPhoneWidth(page: Page): Promise<boolean> {
  await page.setViewportSize(PHONE);
  // Evaluated in the page: this file is typechecked for Node, without the DOM's globals.
  const fits = (await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")) as boolean;
  await page.setViewportSize(DESKTOP);
  return fits;
}

const axeSource = (): string => {
  const require = createRequire(import.meta.url);
  return (require("axe-core") as { source: string }).source;
};

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/**
 * axe-core's serious and critical violations on the page as it is now (WCAG 2.2 A and AA rules and best
 * practices). The script is evaluated through the DevTools protocol, so the page's CSP stays as served.
 */
export async function seriousAccessibilityViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(axeSource());
  const violations = (await page.evaluate("axe.run().then((result) => result.violations)")) as AxeViolation[];
  return violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map(({ id, impact, help, nodes }) => ({
      id,
      impact,
      help,
      nodes: nodes.map(({ target }) => ({ target })),
    }));
}

/** A page as every browser test leaves it: screenshotted at both widths, no serious axe violation, no sideways scroll. */
export async function checkPage(page: Page, name: string): Promise<void> {
  await screenshots(page, name);
  expect(await seriousAccessibilityViolations(page)).toEqual([]);
  expect(await fitsPhoneWidth(page)).toBe(true);
}

/**
 * Collects script errors and CSP refusals on the app's own pages (at `appUrl`) into `errors`. Answers such
 * as an expected 422 are asserted where they happen, and the provider's own pages are not the app's.
 */
export function collectPageErrors(page: Page, appUrl: string, errors: string[]): void {
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("console", (message) => {
    const text = message.text();
    if (message.type() === "error" && page.url().startsWith(appUrl) && !text.startsWith("Failed to load"))
      errors.push(text);
  });
}

/** A desktop-sized page in a context of its own (downloads allowed), collecting the app's page errors. */
export async function openAppPage(
  browser: Browser,
  appUrl: string,
): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: DESKTOP, acceptDownloads: true });
  const page = await context.newPage();
  const errors: string[] = [];
  collectPageErrors(page, appUrl, errors);
  return { context, page, errors };
}
