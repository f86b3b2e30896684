import { FastifyOtelInstrumentation } from "@fastify/otel";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import Fastify, { type FastifyServerOptions } from "fastify";
import { type AuthOptions, registerAuth } from "./auth.ts";
import { DOCS_OAUTH2_SCHEME, docsSignIn } from "./docs-sign-in.ts";
import { type IdempotencyOptions, registerIdempotencyKeys } from "./idempotency.ts";
import { documentSharedResponses } from "./openapi.ts";
import {
  clientErrorProblem,
  frameworkErrorProblem,
  Problem,
  ProblemSchema,
  registerProblemHandlers,
} from "./problem.ts";
import { registerWebSecurity, type WebSecurityOptions } from "./security.ts";
import { registerTextSafety } from "./text-safety.ts";
import { createValidatorCompiler, registerClosedQueries } from "./validation.ts";

/** One readiness probe per dependency (database, broker...); /readyz is 200 only when all pass. */
export type ReadinessChecks = Record<string, () => Promise<unknown>>;

export interface ServiceAppOptions {
  name: string;
  version?: string;
  description: string;
  auth: AuthOptions;
  readiness?: ReadinessChecks;
  /** The service's routes, registered as an encapsulated plugin. */
  routes: FastifyPluginAsyncTypebox;
  logger?: FastifyServerOptions["logger"];
  bodyLimit?: number;
  /** Where `Idempotency-Key` answers are kept (the service database's idempotency_keys table). */
  idempotency?: IdempotencyOptions;
  /** CORS origins and the per-caller rate limit (default: no CORS, the default limit). */
  security?: WebSecurityOptions;
}

/**
 * The one Fastify app factory every service uses: JSON Schema validation (TypeBox), OpenAPI at /docs,
 * RFC 9457 problem+json errors (each route documents those it may answer), only text Postgres can store
 * (no NUL, no lone surrogate), /healthz and /readyz, JWT auth naming tenant and roles, Idempotency-Key on
 * POSTs, tracing, security headers, CORS and a per-caller rate limit.
 */
export async function createServiceApp(options: ServiceAppOptions) {
  const app = Fastify({
    logger: options.logger ?? { level: process.env.LOG_LEVEL ?? "info" },
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    // Above every path parameter's declared maxLength, so an overlong one is a 400 naming the field;
    // only past this does the router refuse the URL (414).
    routerOptions: { maxParamLength: 1000 },
    requestIdHeader: "x-request-id",
    genReqId: () => crypto.randomUUID(),
    frameworkErrors: frameworkErrorProblem,
    clientErrorHandler: clientErrorProblem,
    ajv: {
      customOptions: { allErrors: true, removeAdditional: false, coerceTypes: "array", useDefaults: true },
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setValidatorCompiler(createValidatorCompiler());

  let shuttingDown = false;
  app.decorate("markShuttingDown", () => {
    shuttingDown = true;
  });
  const readiness: ReadinessChecks = { ...options.readiness };
  app.decorate("addReadinessCheck", (name: string, check: () => Promise<unknown>) => {
    readiness[name] = check;
  });
  let holding: string | undefined;
  app.decorate("holdRequests", (reason: string | undefined) => {
    holding = reason;
  });

  // /docs signs a person in at the issuer that says how (else the token is pasted, as before).
  const signIn = docsSignIn(options.auth.issuers);
  const otel = new FastifyOtelInstrumentation();
  await app.register(otel.plugin());
  await registerWebSecurity(app, {
    ...options.security,
    ...(signIn ? { docsConnectOrigins: [signIn.tokenOrigin] } : {}),
  });
  app.addSchema(ProblemSchema);
  const documented = documentSharedResponses(app, { idempotency: options.idempotency !== undefined });
  registerProblemHandlers(app, documented.allowedMethods);
  // While the process is still starting (say, its database is not reachable yet), API calls get a 503
  // the client may retry; /healthz, /readyz and the docs answer.
  app.addHook("onRequest", async (request, reply) => {
    if (holding === undefined || request.routeOptions.config?.public || request.is404) return;
    reply.header("retry-after", "1");
    throw new Problem(503, "starting", "Service starting", `not serving yet: ${holding}`);
  });
  registerAuth(app, options.auth);
  registerTextSafety(app);
  registerClosedQueries(app);
  if (options.idempotency) registerIdempotencyKeys(app, options.idempotency);

  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: `${options.name} API`,
        description: options.description,
        version: options.version ?? "0.1.0",
      },
      components: {
        securitySchemes: {
          bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" },
          ...(signIn ? { [DOCS_OAUTH2_SCHEME]: signIn.securityScheme } : {}),
        },
      },
      // Either scheme: a pasted token, or the issuer's sign-in (whose access token is sent as a bearer).
      security: [{ bearer: [] }, ...(signIn ? [{ [DOCS_OAUTH2_SCHEME]: [] }] : [])],
    },
    transformObject: (document) =>
      documented.linkCreatedResources(
        documented.markOptionalBodies((document as { openapiObject: never }).openapiObject),
      ),
  });
  // The docs are public; this hook must be in place before swagger-ui adds its routes.
  app.addHook("onRoute", (route) => {
    if (route.url.startsWith("/docs"))
      route.config = { ...(route.config ?? {}), public: true } as typeof route.config;
  });
  await app.register(swaggerUi, {
    routePrefix: "/docs",
    uiConfig: { persistAuthorization: true },
    ...(signIn ? { initOAuth: signIn.initOAuth } : {}),
  });

  app.get("/healthz", { config: { public: true }, schema: { hide: true } }, async () => ({ status: "ok" }));
  app.get("/readyz", { config: { public: true }, schema: { hide: true } }, async (_request, reply) => {
    if (shuttingDown) return reply.status(503).send({ status: "shutting-down" });
    const results = await Promise.all(
      Object.entries(readiness).map(async ([name, check]) => {
        try {
          await check();
          return [name, "ok"] as const;
        } catch (error) {
          return [name, (error as Error).message] as const;
        }
      }),
    );
    const failing = results.filter(([, status]) => status !== "ok");
    return reply
      .status(failing.length === 0 ? 200 : 503)
      .send({ status: failing.length === 0 ? "ready" : "not-ready", checks: Object.fromEntries(results) });
  });

  await app.register(options.routes);
  return app;
}

declare module "fastify" {
  interface FastifyInstance {
    markShuttingDown(): void;
    /** Adds (or replaces) a readiness check after the app was built: /readyz is 503 while it throws. */
    addReadinessCheck(name: string, check: () => Promise<unknown>): void;
    /** With a reason, API routes answer 503 + Retry-After (public ones still answer); undefined serves again. */
    holdRequests(reason: string | undefined): void;
  }
}
