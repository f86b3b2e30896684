import { createHash, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";

/** The audience of access tokens for the platform's APIs (provider.ts issues them). */
export const API_AUDIENCE_NAME = "okr-api";

/** The IdP groups the local provider puts in its tokens' `groups` claim (services map them to roles). */
export const GROUPS = {
  admin: "okr-admins",
  leader: "okr-leaders",
  member: "okr-members",
  service: "okr-services",
} as const;

/** One person who can sign in: the subject is stable, the email is what the login form asks for. */
export interface Account {
  sub: string;
  email: string;
  name: string;
  /** A development password: this provider holds demo and test people, never real ones. */
  password: string;
  /** The OKR tenant (organization) the person belongs to, a UUID. */
  tenant: string;
  groups: string[];
}

const digest = (text: string) => createHash("sha256").update(text).digest();

export class AccountStore {
  readonly #bySub = new Map<string, Account>();
  readonly #byEmail = new Map<string, Account>();

  constructor(accounts: readonly Account[]) {
    for (const account of accounts) {
      if (this.#bySub.has(account.sub)) throw new Error(`two accounts share the subject ${account.sub}`);
      this.#bySub.set(account.sub, account);
      this.#byEmail.set(account.email.toLowerCase(), account);
    }
  }

  bySubject(sub: string): Account | undefined {
    return this.#bySub.get(sub);
  }

  /** The account whose email and password these are; the comparison takes the same time either way. */
  authenticate(email: string, password: string): Account | undefined {
    const account = this.#byEmail.get(email.trim().toLowerCase());
    const matches = timingSafeEqual(digest(password), digest(account?.password ?? `\0${password}`));
    return account && matches ? account : undefined;
  }

  get size(): number {
    return this.#bySub.size;
  }
}

/** Accounts from a JSON file holding an array of {@link Account}. */
export function readAccountsFile(file: string): Account[] {
  const accounts = JSON.parse(readFileSync(file, "utf8")) as Account[];
  if (!Array.isArray(accounts)) throw new Error(`${file} must hold a JSON array of accounts`);
  return accounts;
}
