import { hostname } from "node:os";
import { fileURLToPath } from "node:url";
import fastifyCookie from "@fastify/cookie";
import { createKafkaBus } from "@okr/messaging";
import { Problem, problemType } from "@okr/service-kit";
import Fastify, { type FastifyError, type FastifyServerOptions } from "fastify";
import { registerApiProxy } from "./api-proxy.ts";
import { registerAuthRoutes } from "./auth-routes.ts";
import { publicOriginOf, redirectUriOf, temporalUiOf, type WebConfig } from "./config.ts";
import { registerCycleExport } from "./cycle-export.ts";
import { LiveFeed } from "./live.ts";
import { registerLiveRoute, tenantFromGoals } from "./live-route.ts";
import { OidcClient } from "./oidc.ts";
import { cookieNames, SessionGuard } from "./session-guard.ts";
import { SessionStore } from "./sessions.ts";
import { registerStaticApp } from "./static-app.ts";

/** Where `vite build` puts the browser app (services/web/dist). */
export const DEFAULT_STATIC_DIR = fileURLToPath(new URL("../dist", import.meta.url));

/**
 * The back end for the front end: sign-in and server-side sessions, /api/* forwarded to the services with
 * the session's access token, and the browser app. It is no API service (no bearer auth of its own, no
 * database, pages need their own CSP), so it builds on Fastify directly and shares service-kit's
 * problem vocabulary and process runtime (main.ts) instead of createServiceApp.
 */
export async function createWebApp(
  config: WebConfig,
  options: { logger?: FastifyServerOptions["logger"] } = {},
) {
  const app = Fastify({
    logger: options.logger ?? { level: config.LOG_LEVEL },
    requestIdHeader: "x-request-id",
    genReqId: () => crypto.randomUUID(),
    bodyLimit: 1024 * 1024,
  });
  app.setErrorHandler((error: FastifyError | Problem, request, reply) => {
    const problem =
      error instanceof Problem
        ? {
            type: error.type,
            title: error.title,
            status: error.status,
            detail: error.message,
            ...error.extensions,
          }
        : error.statusCode && error.statusCode >= 400 && error.statusCode < 500
          ? {
              type: problemType("bad-request"),
              title: "Bad request",
              status: error.statusCode,
              detail: error.message,
            }
          : {
              type: problemType("internal"),
              title: "Internal error",
              status: 500,
              detail: "see the web app's log",
            };
    if (problem.status >= 500 && !(error instanceof Problem))
      request.log.error({ err: error }, "request failed");
    return reply.status(problem.status).type("application/problem+json").send(problem);
  });
  await app.register(fastifyCookie);

  const publicOrigin = publicOriginOf(config);
  const oidc = new OidcClient({
    issuer: config.OIDC_ISSUER,
    backchannelUrl: config.OIDC_BACKCHANNEL_URL,
    clientId: config.OIDC_CLIENT_ID,
    redirectUri: redirectUriOf(config),
    resource: config.OIDC_RESOURCE,
    scopes: config.OIDC_SCOPES,
  });
  const store = new SessionStore(config.WEB_SESSION_IDLE_MINUTES);
  const cookies = cookieNames(publicOrigin);
  const guard = new SessionGuard(store, oidc, cookies, publicOrigin);

  // service-kit's runService turns /readyz to 503 through this when shutdown starts.
  let shuttingDown = false;
  app.decorate("markShuttingDown", () => {
    shuttingDown = true;
  });
  app.get("/healthz", async () => ({ status: "ok" }));
  app.get("/readyz", async (_request, reply) =>
    shuttingDown ? reply.status(503).send({ status: "shutting-down" }) : { status: "ready" },
  );
  registerAuthRoutes(app, {
    oidc,
    store,
    guard,
    cookies,
    publicOrigin,
    idleMinutes: config.WEB_SESSION_IDLE_MINUTES,
    links: { temporalUi: temporalUiOf(config) },
  });
  registerApiProxy(app, guard, [
    { prefix: "", baseUrl: config.GOALS_URL },
    { prefix: "value-stream", baseUrl: config.VALUE_STREAM_URL },
    { prefix: "scoring", baseUrl: config.SCORING_URL },
  ]);
  registerCycleExport(app, guard, config.GOALS_URL);
  const feed = config.KAFKA_BROKERS
    ? new LiveFeed({
        bus: createKafkaBus({ brokers: config.KAFKA_BROKERS, clientId: "web" }),
        groupId: config.WEB_LIVE_GROUP ?? `web-live-${hostname()}-${config.WEB_PORT}`,
        log: (level, message, error) => app.log[level]({ err: error }, message),
      })
    : undefined;
  registerLiveRoute(app, {
    guard,
    feed,
    tenantOf: tenantFromGoals(config.GOALS_URL, guard),
    sessionAlive: (session) => store.isActive(session.id),
  });
  if (feed) {
    app.addHook("onReady", async () => feed.start());
    app.addHook("onClose", async () => feed.stop());
  }
  await registerStaticApp(app, config.WEB_STATIC_DIR ?? DEFAULT_STATIC_DIR);
  return app;
}
