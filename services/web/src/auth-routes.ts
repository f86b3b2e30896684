import { Problem } from "@okr/service-kit";
import type { FastifyInstance } from "fastify";
import type { OidcClient } from "./oidc.ts";
import type { CookieNames, SessionGuard } from "./session-guard.ts";
import type { SessionStore } from "./sessions.ts";

export interface AuthRouteOptions {
  oidc: OidcClient;
  store: SessionStore;
  guard: SessionGuard;
  cookies: CookieNames;
  publicOrigin: string;
  idleMinutes: number;
  /** Where the app links operators to (the Temporal UI's namespace page): signed-in people only. */
  links: { temporalUi: string };
}

/** Seconds a browser is asked to wait when the identity provider could not be reached. */
const PROVIDER_RETRY_AFTER_SECONDS = 5;

/** Only a path of this app may follow a sign-in: never another site (an open redirect) or `//host`. */
function safeReturnTo(value: unknown): string {
  return typeof value === "string" && /^\/(?![/\\])[^\s]*$/.test(value) ? value : "/";
}

/**
 * Sign-in (authorization code + PKCE; the pending state lives server-side, keyed by a short-lived
 * cookie), the callback that turns it into a session, what the app may know of its session, sign-out.
 */
export function registerAuthRoutes(app: FastifyInstance, options: AuthRouteOptions): void {
  const { oidc, store, guard, cookies } = options;
  const secure = options.publicOrigin.startsWith("https:");
  const cookie = { httpOnly: true, sameSite: "lax" as const, secure, path: "/" };

  app.get("/auth/sign-in", async (request, reply) => {
    const { returnTo } = request.query as { returnTo?: unknown };
    const started = await oidc.beginSignIn().catch((error: unknown) => {
      request.log.warn({ err: error }, "the identity provider could not be reached");
      reply.header("retry-after", String(PROVIDER_RETRY_AFTER_SECONDS));
      throw new Problem(
        503,
        "identity-provider-unavailable",
        "Sign-in unavailable",
        "the sign-in service did not answer; try again shortly",
      );
    });
    const { url, pending } = started;
    const id = store.startSignIn(pending, safeReturnTo(returnTo));
    reply.setCookie(cookies.signIn, id, { ...cookie, maxAge: 10 * 60 });
    return reply.redirect(url.toString(), 303);
  });

  app.get("/auth/callback", async (request, reply) => {
    const pending = store.takeSignIn(request.cookies[cookies.signIn]);
    reply.clearCookie(cookies.signIn, { path: "/" });
    if (!pending) return reply.redirect("/?signIn=expired", 303);
    const callbackUrl = new URL(request.url, options.publicOrigin);
    try {
      const { tokens, person } = await oidc.completeSignIn(callbackUrl, pending);
      const previous = guard.current(request);
      if (previous) store.end(previous.id);
      const session = store.create(person, tokens);
      reply.setCookie(cookies.session, session.id, { ...cookie, maxAge: options.idleMinutes * 60 });
      return reply.redirect(pending.returnTo, 303);
    } catch (error) {
      request.log.warn({ err: error }, "sign-in callback refused");
      return reply.redirect("/?signIn=failed", 303);
    }
  });

  // Same-origin only (no CORS): another site cannot read the CSRF token from here.
  app.get("/auth/session", async (request, reply) => {
    reply.header("cache-control", "no-store");
    const session = guard.current(request);
    if (!session) return { signedIn: false };
    return {
      signedIn: true,
      csrfToken: session.csrfToken,
      person: session.person,
      links: options.links,
    };
  });

  app.post("/auth/sign-out", async (request, reply) => {
    const session = guard.require(request);
    const idToken = session.tokens.idToken;
    guard.end(session, reply);
    // The browser goes on to the provider's end-session page, which ends the provider's session too.
    return { endSessionUrl: (await oidc.endSessionUrl(idToken).catch(() => undefined)) ?? "/" };
  });
}
