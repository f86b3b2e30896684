import { Problem } from "@okr/service-kit";
import type { FastifyReply, FastifyRequest } from "fastify";
import { OidcClient, type TokenSet } from "./oidc.ts";
import { csrfTokenMatches, type Session, type SessionStore } from "./sessions.ts";

export interface CookieNames {
  session: string;
  signIn: string;
}

/** On https the session cookie gets the __Host- prefix: Secure, no Domain, path / (RFC 6265bis). */
export function cookieNames(publicOrigin: string): CookieNames {
  const secure = publicOrigin.startsWith("https:");
  return secure
    ? { session: "__Host-okr_session", signIn: "__Host-okr_sign_in" }
    : { session: "okr_session", signIn: "okr_sign_in" };
}

export const signedOut = () =>
  new Problem(401, "signed-out", "Sign-in required", "there is no signed-in session; sign in again");

const STATE_CHANGING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/**
 * What every session-bound route needs: the session from its cookie, a CSRF check on state-changing
 * calls (the Origin must be this app's and the X-CSRF-Token header the session's token), and an access
 * token renewed before it expires.
 */
export class SessionGuard {
  readonly #store: SessionStore;
  readonly #oidc: OidcClient;
  readonly #cookies: CookieNames;
  readonly #origin: string;

  constructor(store: SessionStore, oidc: OidcClient, cookies: CookieNames, publicOrigin: string) {
    this.#store = store;
    this.#oidc = oidc;
    this.#cookies = cookies;
    this.#origin = publicOrigin;
  }

  current(request: FastifyRequest): Session | undefined {
    return this.#store.get(request.cookies[this.#cookies.session]);
  }

  /** The caller's session; a state-changing call must come from this app's pages. */
  require(request: FastifyRequest): Session {
    const session = this.current(request);
    if (!session) throw signedOut();
    if (STATE_CHANGING.has(request.method)) {
      if (request.headers.origin !== this.#origin)
        throw new Problem(403, "cross-origin", "Forbidden", "state-changing calls must come from this app");
      const header = request.headers["x-csrf-token"];
      if (!csrfTokenMatches(session, typeof header === "string" ? header : undefined))
        throw new Problem(403, "csrf", "Forbidden", "the X-CSRF-Token header is missing or wrong");
    }
    return session;
  }

  /** The session's access token, renewed first if it is about to expire; a session that cannot be is ended. */
  async accessToken(session: Session, reply: FastifyReply): Promise<string> {
    if (!OidcClient.needsRenewal(session.tokens)) return session.tokens.accessToken;
    if (!session.tokens.refreshToken) {
      if (session.tokens.expiresAt > Date.now()) return session.tokens.accessToken;
      this.end(session, reply);
      throw signedOut();
    }
    session.renewing ??= this.#oidc.refresh(session.tokens).finally(() => {
      session.renewing = undefined;
    });
    let tokens: TokenSet;
    try {
      tokens = await session.renewing;
    } catch (error) {
      reply.log.warn({ err: error }, "token renewal failed; the session ends");
      this.end(session, reply);
      throw signedOut();
    }
    session.tokens = tokens;
    return tokens.accessToken;
  }

  end(session: Session, reply: FastifyReply): void {
    this.#store.end(session.id);
    reply.clearCookie(this.#cookies.session, { path: "/" });
  }
}
