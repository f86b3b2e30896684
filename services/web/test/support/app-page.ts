import type { Browser, BrowserContext, Page } from "playwright-core";
import { expect } from "vitest";
import { desktopViewport, fitsPhoneWidth, screenshots, seriousAccessibilityViolations } from "./browser.ts";

export interface AppPage {
  context: BrowserContext;
  page: Page;
  /** Script errors and CSP refusals on the app's own pages, to be asserted empty at the end. */
  errors: string[];
}

/**
 * A desktop-sized page for the app at `webUrl` that collects its errors. Failed loads are left out: the
 * answers a test expects (a 404 of something that does not exist) are asserted where they happen, and
 * the provider's own pages are not the app's.
 */
export async function openAppPage(browser: Browser, webUrl: string): Promise<AppPage> {
  const context = await browser.newContext({ viewport: desktopViewport, acceptDownloads: true });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("console", (message) => {
    const text = message.text();
    if (message.type() === "error" && page.url().startsWith(webUrl) && !text.startsWith("Failed to load"))
      errors.push(text);
  });
  return { context, page, errors };
}

/** Screenshots at desktop and phone width, no serious or critical axe violation, no sideways scroll. */
export async function checkPage(page: Page, name: string): Promise<void> {
  await screenshots(page, name);
  expect(await seriousAccessibilityViolations(page)).toEqual([]);
  expect(await fitsPhoneWidth(page)).toBe(true);
}
