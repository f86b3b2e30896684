import type { Page } from "playwright-core";
import { PERSON, type WebStack } from "./stack.ts";

/** Signs the stack's person in through the provider's own form and waits for the home page. */
export async function signIn(page: Page, stack: WebStack): Promise<void> {
  await page.goto(stack.webUrl);
  await page.getByRole("link", { name: "Sign in" }).click();
  await page.getByLabel("Email").fill(stack.email);
  await page.getByLabel("Password").fill(PERSON.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { level: 1, name: "My work" }).waitFor();
}
