import { writeFileSync } from "node:fs";
import { type Account, DEFAULT_WEB_REDIRECT_URI, GROUPS, signInWithPassword } from "@okr/identity-provider";
import { DEMO_PEOPLE, demoPerson, demoRoles } from "./acme-flow.ts";
import { DEMO_TENANT_ID } from "./seed.ts";

/** Every demo person signs in to the local identity provider with this password. */
export const DEMO_PASSWORD = "okr-demo";

/** The seeded demo people as accounts of the local identity provider, their roles as IdP groups. */
export function demoAccounts(): Account[] {
  const roles = demoRoles();
  return Array.from({ length: DEMO_PEOPLE }, (_, n) => {
    const person = demoPerson(n);
    return {
      sub: `acme-flow-${n}`,
      ...person,
      password: DEMO_PASSWORD,
      tenant: DEMO_TENANT_ID,
      groups: (roles[n] ?? ["member"]).map((role) => GROUPS[role]),
    };
  });
}

export function writeDemoAccounts(file: string): Account[] {
  const accounts = demoAccounts();
  writeFileSync(file, `${JSON.stringify(accounts, null, 2)}\n`, { mode: 0o600 });
  return accounts;
}

/** Signs the demo admin (the first person) in at the provider, as a browser would: their access token. */
export async function signInDemoAdmin(issuer: string): Promise<string> {
  const admin = demoAccounts()[0] as Account;
  const result = await signInWithPassword({
    issuer,
    redirectUri: DEFAULT_WEB_REDIRECT_URI,
    email: admin.email,
    password: admin.password,
  });
  if (!result.accessToken) throw new Error(`the demo admin's sign-in at ${issuer} answered ${result.status}`);
  return result.accessToken;
}
