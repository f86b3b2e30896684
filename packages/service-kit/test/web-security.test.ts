import { randomUUID } from "node:crypto";
import { DEFAULT_RATE_LIMIT_PER_MINUTE } from "@okr/config";
import { Type } from "typebox";
import { afterAll, describe, expect, it } from "vitest";
import { createServiceApp, type Role, signToken } from "../src/index.ts";
import type { WebSecurityOptions } from "../src/security.ts";

const auth = { secret: "test-secret-of-some-length", issuer: "okr-test" };
const allowedOrigin = "https://okr.example.com";

const apps: Awaited<ReturnType<typeof createServiceApp>>[] = [];
afterAll(() => Promise.all(apps.map((app) => app.close())));

async function kitApp(security?: WebSecurityOptions) {
  const app = await createServiceApp({
    name: "kit-security-test",
    description: "service-kit web security test app",
    auth,
    logger: false,
    ...(security ? { security } : {}),
    routes: async (routes) => {
      routes.get("/widgets", async (request) => ({ tenantId: request.principal.tenantId }));
      routes.post(
        "/widgets",
        { schema: { body: Type.Object({ name: Type.String() }) } },
        async (_request, reply) => reply.status(201).send({}),
      );
    },
  });
  await app.ready();
  apps.push(app);
  return app;
}

const someTenant = "55555555-5555-4555-8555-555555555555";

const bearer = async (tenantId: string, subject: string, roles: Role[] = ["member"]) =>
  `Bearer ${await signToken(auth, { tenantId, subject, roles })}`;

const corsHeaders = (headers: Record<string, unknown>) =>
  Object.keys(headers).filter((name) => name.startsWith("access-control-"));

describe("security headers", () => {
  it("puts helmet's headers and a locked-down CSP on every API answer, errors included", async () => {
    const app = await kitApp();
    const ok = await app.inject({
      url: "/widgets",
      headers: { authorization: await bearer(someTenant, "s") },
    });
    const unauthorized = await app.inject({ url: "/widgets" });
    const missing = await app.inject({
      url: "/nope",
      headers: { authorization: await bearer(someTenant, "s") },
    });
    expect([ok.statusCode, unauthorized.statusCode, missing.statusCode]).toEqual([200, 401, 404]);
    for (const response of [ok, unauthorized, missing]) {
      expect(response.headers["content-security-policy"]).toBe(
        "default-src 'none';base-uri 'none';form-action 'none';frame-ancestors 'none'",
      );
      expect(response.headers).toMatchObject({
        "x-content-type-options": "nosniff",
        "x-frame-options": "DENY",
        "referrer-policy": "no-referrer",
        "cross-origin-resource-policy": "same-origin",
        "strict-transport-security": expect.stringMatching(/^max-age=\d+/),
      });
    }
    // The bodies are unchanged: still JSON and problem+json.
    expect(ok.json()).toEqual({ tenantId: someTenant });
    expect(unauthorized.headers["content-type"]).toMatch(/^application\/problem\+json/);
  });

  it("lets the Swagger UI load its own scripts, styles and images, and nothing inline as script", async () => {
    const app = await kitApp();
    const ui = await app.inject("/docs");
    expect(ui.statusCode).toBe(200);
    expect(ui.body).toMatch(/swagger-ui-bundle\.js/);
    // Every script the page runs is a file of its own origin: no inline script needs allowing.
    expect(ui.body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    const csp = String(ui.headers["content-security-policy"]);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe/);
    expect(csp).toContain("style-src 'self' 'unsafe-inline'");
    expect(csp).toContain("img-src 'self' data:");
    expect(csp).not.toContain("upgrade-insecure-requests");
    const bundle = await app.inject("/docs/static/swagger-ui-bundle.js");
    expect(bundle.statusCode).toBe(200);
    expect(bundle.headers["content-security-policy"]).toBe(csp);
    expect(ui.headers["x-content-type-options"]).toBe("nosniff");
  });
});

describe("CORS", () => {
  const preflight = (origin: string) => ({
    method: "OPTIONS" as const,
    url: "/widgets",
    headers: {
      origin,
      "access-control-request-method": "POST",
      "access-control-request-headers": "authorization,content-type,idempotency-key",
    },
  });

  it("answers a preflight from a configured origin, with credentials, before any token", async () => {
    const app = await kitApp({ corsAllowedOrigins: [allowedOrigin, "http://localhost:5173"] });
    const response = await app.inject(preflight(allowedOrigin));
    expect(response.statusCode).toBe(204);
    expect(response.headers).toMatchObject({
      "access-control-allow-origin": allowedOrigin,
      "access-control-allow-credentials": "true",
      "access-control-allow-headers": "authorization,content-type,idempotency-key",
      "access-control-max-age": "600",
    });
    expect(String(response.headers["access-control-allow-methods"]).split(", ")).toEqual(
      expect.arrayContaining(["GET", "POST", "PUT", "PATCH", "DELETE"]),
    );
    expect(response.headers.vary).toMatch(/Origin/);

    const call = await app.inject({
      url: "/widgets",
      headers: { origin: allowedOrigin, authorization: await bearer(someTenant, "s") },
    });
    expect(call.statusCode).toBe(200);
    expect(call.headers["access-control-allow-origin"]).toBe(allowedOrigin);
    expect(call.headers["access-control-allow-credentials"]).toBe("true");
    expect(call.headers["access-control-expose-headers"]).toMatch(/Retry-After/);
  });

  it("gives an origin that is not listed no CORS header at all, and still serves same-origin calls", async () => {
    const app = await kitApp({ corsAllowedOrigins: [allowedOrigin] });
    for (const origin of ["https://evil.example", `${allowedOrigin}.evil.example`, "null"]) {
      const response = await app.inject(preflight(origin));
      expect(corsHeaders(response.headers)).toEqual([]);
      // No CORS route answers it, so it is a method the path does not have.
      expect(response.statusCode).toBe(405);
      expect(response.headers["content-type"]).toMatch(/^application\/problem\+json/);
      const call = await app.inject({
        url: "/widgets",
        headers: { origin, authorization: await bearer(someTenant, "s") },
      });
      expect(call.statusCode).toBe(200);
      expect(corsHeaders(call.headers)).toEqual([]);
    }
    const sameOrigin = await app.inject({
      url: "/widgets",
      headers: { authorization: await bearer(someTenant, "s") },
    });
    expect(sameOrigin.statusCode).toBe(200);
    expect(corsHeaders(sameOrigin.headers)).toEqual([]);
  });

  it("allows no origin when none is configured", async () => {
    const app = await kitApp();
    const response = await app.inject(preflight(allowedOrigin));
    expect(corsHeaders(response.headers)).toEqual([]);
    expect(response.statusCode).toBe(405);
  });
});

describe("rate limit", () => {
  const get = (app: Awaited<ReturnType<typeof kitApp>>, authorization?: string) =>
    app.inject({ url: "/widgets", headers: authorization ? { authorization } : {} });

  it("answers 429 problem+json with Retry-After once one caller is over, and only that caller", async () => {
    const app = await kitApp({ rateLimitPerMinute: 3 });
    const tenant = randomUUID();
    const caller = await bearer(tenant, "person-1");
    for (let i = 0; i < 3; i++) {
      const response = await get(app, caller);
      expect(response.statusCode).toBe(200);
      expect(response.headers["x-ratelimit-remaining"]).toBe(String(2 - i));
    }
    const limited = await get(app, caller);
    expect(limited.statusCode).toBe(429);
    expect(limited.headers["content-type"]).toMatch(/^application\/problem\+json/);
    const retryAfter = Number(limited.headers["retry-after"]);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(limited.json()).toMatchObject({
      type: "https://okr-platform.dev/problems/rate-limited",
      status: 429,
      title: "Too many requests",
      detail: expect.stringMatching(/more than 3 requests in a minute/),
      instance: "/widgets",
    });
    // A new token for the same tenant and subject is the same caller.
    expect((await get(app, await bearer(tenant, "person-1", ["admin"]))).statusCode).toBe(429);
    // Another subject of the tenant, the same subject in another tenant, and the platform's own service
    // calls are not held back.
    expect((await get(app, await bearer(tenant, "person-2"))).statusCode).toBe(200);
    expect((await get(app, await bearer(randomUUID(), "person-1"))).statusCode).toBe(200);
    const service = await bearer(tenant, "cycle-worker", ["service"]);
    for (let i = 0; i < 5; i++) expect((await get(app, service)).statusCode).toBe(200);
    // Neither are the probes; requests without a valid token are refused by auth before they count.
    for (let i = 0; i < 5; i++) expect((await app.inject("/healthz")).statusCode).toBe(200);
    for (let i = 0; i < 5; i++) expect((await get(app)).statusCode).toBe(401);
  });

  it("counts unauthenticated callers of public routes by IP", async () => {
    const app = await kitApp({ rateLimitPerMinute: 2 });
    const docs = (remoteAddress: string) => app.inject({ url: "/docs/json", remoteAddress });
    expect((await docs("10.0.0.1")).statusCode).toBe(200);
    expect((await docs("10.0.0.1")).statusCode).toBe(200);
    const limited = await docs("10.0.0.1");
    expect(limited.statusCode).toBe(429);
    expect(limited.headers["retry-after"]).toBeDefined();
    expect((await docs("10.0.0.2")).statusCode).toBe(200);
  });

  it("never answers 429 when set to 0", async () => {
    const app = await kitApp({ rateLimitPerMinute: 0 });
    const caller = await bearer(randomUUID(), "person-1");
    for (let i = 0; i < 50; i++) {
      const response = await get(app, caller);
      expect(response.statusCode).toBe(200);
      expect(response.headers["x-ratelimit-limit"]).toBeUndefined();
    }
  });

  it("is on by default at a limit no ordinary client reaches", async () => {
    const app = await kitApp();
    const response = await get(app, await bearer(randomUUID(), "person-1"));
    expect(response.statusCode).toBe(200);
    expect(response.headers["x-ratelimit-limit"]).toBe(String(DEFAULT_RATE_LIMIT_PER_MINUTE));
  });
});
