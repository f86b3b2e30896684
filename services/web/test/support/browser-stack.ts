import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { launchChromium, openAppPage } from "./browser.ts";
import { startWebStack, type WebStack } from "./stack.ts";

export interface BrowserStack {
  stack: WebStack;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** The app's script errors and CSP refusals seen by `page`. */
  pageErrors: string[];
}

/**
 * A suite's real stack and one desktop page on it, started before its tests and stopped after them. The
 * fields are there once `beforeAll` has run, so tests read them from the returned object.
 */
export function browserStackPerSuite(options: Parameters<typeof startWebStack>[0] = {}): BrowserStack {
  const state = {} as BrowserStack;
  beforeAll(async () => {
    [state.stack, state.browser] = await Promise.all([startWebStack(options), launchChromium()]);
    const opened = await openAppPage(state.browser, state.stack.webUrl);
    Object.assign(state, { context: opened.context, page: opened.page, pageErrors: opened.errors });
  }, 600_000);
  afterAll(async () => {
    await state.context?.close();
    await state.browser?.close();
    await state.stack?.stop();
  });
  return state;
}
