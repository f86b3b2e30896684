import { randomBytes, timingSafeEqual } from "node:crypto";
import type { PendingSignIn, SignedInPerson, TokenSet } from "./oidc.ts";

export interface Session {
  id: string;
  /** Sent back in the X-CSRF-Token header of every state-changing call; bound to this session only. */
  csrfToken: string;
  person: SignedInPerson;
  tokens: TokenSet;
  lastSeen: number;
  /** The organization the services act for this session in, once asked (live updates need it). */
  tenantId?: string | undefined;
  /** One renewal at a time: concurrent calls wait for the same refresh. */
  renewing?: Promise<TokenSet> | undefined;
}

interface Pending extends PendingSignIn {
  returnTo: string;
  createdAt: number;
}

const newId = () => randomBytes(32).toString("base64url");

/** A sign-in not finished within this time must start again. */
const PENDING_TTL_MS = 10 * 60_000;
/** Sign-ins started and not finished are capped, so unauthenticated requests cannot grow memory. */
const MAX_PENDING = 10_000;

/**
 * Server-side sessions, keyed by a random id that is the only thing the browser holds (an httpOnly
 * cookie). Kept in this process's memory: one replica, and a restart signs people out (docs/web.md).
 */
export class SessionStore {
  readonly #sessions = new Map<string, Session>();
  readonly #pending = new Map<string, Pending>();
  readonly #idleMs: number;

  constructor(idleMinutes: number) {
    this.#idleMs = idleMinutes * 60_000;
  }

  startSignIn(pending: PendingSignIn, returnTo: string): string {
    const id = newId();
    while (this.#pending.size >= MAX_PENDING) {
      const oldest = this.#pending.keys().next().value as string;
      this.#pending.delete(oldest);
    }
    this.#pending.set(id, { ...pending, returnTo, createdAt: Date.now() });
    return id;
  }

  /** The pending sign-in of this id, once: a callback replayed with the same cookie finds nothing. */
  takeSignIn(id: string | undefined): Pending | undefined {
    if (!id) return undefined;
    const pending = this.#pending.get(id);
    this.#pending.delete(id);
    return pending && Date.now() - pending.createdAt < PENDING_TTL_MS ? pending : undefined;
  }

  create(person: SignedInPerson, tokens: TokenSet): Session {
    this.#prune();
    const session: Session = { id: newId(), csrfToken: newId(), person, tokens, lastSeen: Date.now() };
    this.#sessions.set(session.id, session);
    return session;
  }

  get(id: string | undefined): Session | undefined {
    if (!id) return undefined;
    const session = this.#sessions.get(id);
    if (!session) return undefined;
    const now = Date.now();
    if (this.#idle(session, now)) {
      this.#sessions.delete(id);
      return undefined;
    }
    session.lastSeen = now;
    return session;
  }

  /** Whether the session exists and has not gone idle, without counting as activity (an open stream is none). */
  isActive(id: string): boolean {
    const session = this.#sessions.get(id);
    return session !== undefined && !this.#idle(session, Date.now());
  }

  end(id: string): void {
    this.#sessions.delete(id);
  }

  #idle(session: Session, now: number): boolean {
    return now - session.lastSeen > this.#idleMs;
  }

  #prune(): void {
    const now = Date.now();
    for (const [id, session] of this.#sessions) if (this.#idle(session, now)) this.#sessions.delete(id);
  }
}

/** Constant-time comparison of the header a call sent with the session's CSRF token. */
export function csrfTokenMatches(session: Session, sent: string | undefined): boolean {
  if (!sent) return false;
  const expected = Buffer.from(session.csrfToken);
  const given = Buffer.from(sent);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
