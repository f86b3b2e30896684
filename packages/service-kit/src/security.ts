import cors from "@fastify/cors";
import rateLimit from "@fastify/rate-limit";
import { DEFAULT_RATE_LIMIT_PER_MINUTE } from "@okr/config";
import type { FastifyInstance, FastifyRequest } from "fastify";
import helmet, { type HelmetOptions } from "helmet";
import { DOCS_OAUTH2_REDIRECT_PATH } from "./docs-sign-in.ts";
import { Problem } from "./problem.ts";

export interface WebSecurityOptions {
  /** Browser origins (`https://host[:port]`) allowed to call the API with credentials; none by default. */
  corsAllowedOrigins?: readonly string[];
  /** Requests per minute per caller (tenant and subject, else client IP); 0 turns the limit off. */
  rateLimitPerMinute?: number;
  /** Origins the /docs page itself calls (the token endpoint of the issuer it signs in at). */
  docsConnectOrigins?: readonly string[];
}

/** Where swagger-ui serves the docs (see app.ts): its page needs scripts, styles and images of its own. */
const DOCS_PREFIX = /^\/docs(?:[/?]|$)/;
/** Probes must answer whatever a client does, so they are never limited. */
const PROBES = new Set(["/healthz", "/readyz"]);

/**
 * The API answers JSON and self-contained SVG (value stream maps draw with presentation attributes only), so
 * it may load nothing and be framed by nobody.
 */
const API_HEADERS: HelmetOptions = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'none'"],
      frameAncestors: ["'none'"],
    },
  },
  xFrameOptions: { action: "deny" },
};

/**
 * Swagger UI loads its own scripts and styles from /docs/static, styles elements inline, may show the
 * swagger.io validator badge, and exchanges a sign-in's code at the issuer's token endpoint itself. No
 * `upgrade-insecure-requests`: the docs must work on a plain-HTTP dev port. Its sign-in opens the issuer
 * in a popup, which must keep its opener, so popups are allowed their own opener policy.
 */
const docsHeaderOptions = (connectOrigins: readonly string[]): HelmetOptions => ({
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      baseUri: ["'self'"],
      connectSrc: ["'self'", ...connectOrigins],
      formAction: ["'self'"],
      frameAncestors: ["'self'"],
      objectSrc: ["'none'"],
      scriptSrc: ["'self'"],
      scriptSrcAttr: ["'none'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", "data:", "https://validator.swagger.io"],
      fontSrc: ["'self'", "data:"],
    },
  },
  crossOriginOpenerPolicy: { policy: "same-origin-allow-popups" },
});

/**
 * The page the issuer sends the sign-in popup back to hands the code to its opener. Arriving from the
 * issuer's origin, a page with any opener policy but `unsafe-none` would be cut off from it.
 */
const oauthRedirectHeaderOptions = (connectOrigins: readonly string[]): HelmetOptions => ({
  ...docsHeaderOptions(connectOrigins),
  crossOriginOpenerPolicy: { policy: "unsafe-none" },
});

/**
 * The headers helmet would set, computed once: helmet's middleware rebuilds its policy on every call, so a
 * per-request helmet costs more than the whole header set copied from a frozen object.
 */
function helmetHeaders(options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader: (name: string, value: string) => {
      headers[name.toLowerCase()] = value;
    },
    removeHeader: () => {},
  };
  helmet(options)(
    {} as Parameters<ReturnType<typeof helmet>>[0],
    recorder as unknown as Parameters<ReturnType<typeof helmet>>[1],
    () => {},
  );
  return Object.freeze(headers);
}

/** Key of one caller: the verified token's tenant and subject, else (public routes) the client's IP. */
const callerKey = (request: FastifyRequest) =>
  request.principal ? `${request.principal.tenantId}\u0000${request.principal.subject}` : request.ip;

/**
 * Web-facing basics every service gets, registered before auth and before any route:
 * - security headers (helmet's, with a CSP for the API and one for the docs) on every answer, 4xx included;
 * - CORS for the configured origins only, credentials allowed; preflights are answered before auth;
 * - a per-caller rate limit (fixed one-minute window, counted in this process's memory, so per replica),
 *   429 problem+json with Retry-After. It runs after auth, so it keys on the verified principal; calls
 *   with the `service` role (platform components such as the cycle worker) and the probes are not limited.
 */
export async function registerWebSecurity(
  app: FastifyInstance,
  options: WebSecurityOptions = {},
): Promise<void> {
  const apiHeaders = helmetHeaders(API_HEADERS);
  const connectOrigins = options.docsConnectOrigins ?? [];
  const docsHeaders = helmetHeaders(docsHeaderOptions(connectOrigins));
  const oauthRedirectHeaders = helmetHeaders(oauthRedirectHeaderOptions(connectOrigins));
  app.addHook("onRequest", (request, reply, done) => {
    reply.headers(
      request.url.startsWith(DOCS_OAUTH2_REDIRECT_PATH)
        ? oauthRedirectHeaders
        : DOCS_PREFIX.test(request.url)
          ? docsHeaders
          : apiHeaders,
    );
    done();
  });

  const origins = new Set(options.corsAllowedOrigins ?? []);
  if (origins.size > 0) {
    // The preflight route needs no token: a browser never sends one on a preflight.
    app.addHook("onRoute", (route) => {
      if (route.method === "OPTIONS" && route.url === "*")
        route.config = { ...(route.config ?? {}), public: true } as typeof route.config;
    });
    await app.register(cors, {
      // Another origin gets no CORS header at all (and its preflight a 404).
      origin: (origin, callback) => callback(null, origin !== undefined && origins.has(origin)),
      credentials: true,
      methods: ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"],
      exposedHeaders: [
        "Retry-After",
        "Idempotent-Replayed",
        "X-RateLimit-Limit",
        "X-RateLimit-Remaining",
        "X-RateLimit-Reset",
      ],
      maxAge: 600,
      // An OPTIONS without Access-Control-Request-Method is answered like a preflight, not with text/plain.
      strictPreflight: false,
    });
  }

  const perMinute = options.rateLimitPerMinute ?? DEFAULT_RATE_LIMIT_PER_MINUTE;
  if (perMinute > 0) {
    await app.register(rateLimit, {
      max: perMinute,
      timeWindow: 60_000,
      // The most recent 10,000 callers are counted; one pushed out by newer callers starts afresh.
      cache: 10_000,
      keyGenerator: callerKey,
      allowList: (request) =>
        PROBES.has(request.url) || request.principal?.roles.includes("service") === true,
      errorResponseBuilder: (_request, context) => {
        const seconds = Math.max(1, Math.ceil(context.ttl / 1000));
        return new Problem(
          429,
          "rate-limited",
          "Too many requests",
          `more than ${context.max} requests in a minute from this caller; retry in ${seconds} s`,
        );
      },
    });
  }
}
