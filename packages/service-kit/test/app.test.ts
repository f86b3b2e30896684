import { SignJWT } from "jose";
import { Type } from "typebox";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServiceApp, notFound, requireRole, signToken, unprocessable } from "../src/index.ts";

const auth = { secret: "test-secret-of-some-length", issuer: "okr-test" };
const tenantId = "33333333-3333-4333-8333-333333333333";
let ready = true;

const app = await createServiceApp({
  name: "kit-test",
  description: "service-kit test app",
  auth,
  logger: false,
  readiness: {
    database: async () => {
      if (!ready) throw new Error("connection refused");
    },
  },
  routes: async (routes) => {
    routes.post(
      "/widgets",
      {
        schema: {
          body: Type.Object(
            { name: Type.String({ minLength: 1, maxLength: 20 }), size: Type.Integer({ minimum: 1 }) },
            { additionalProperties: false },
          ),
          response: { 201: Type.Object({ name: Type.String(), tenantId: Type.String() }) },
        },
      },
      async (request, reply) => {
        requireRole(request, "admin");
        if (request.body.name === "taken") throw unprocessable("widget-name-taken", "choose another name");
        return reply.status(201).send({ name: request.body.name, tenantId: request.principal.tenantId });
      },
    );
    routes.get(
      "/widgets/:id",
      {
        schema: {
          params: Type.Object({ id: Type.Integer() }),
          response: { 200: Type.Object({ id: Type.Integer() }), 404: { $ref: "Problem#" } },
        },
      },
      async (request) => {
        if (request.params.id === 7) throw notFound("widget 7");
        return { id: request.params.id };
      },
    );
    routes.get(
      "/notes/:name",
      {
        schema: {
          params: Type.Object({ name: Type.String() }),
          querystring: Type.Object({ q: Type.Optional(Type.String()) }),
        },
      },
      async (request) => ({ name: request.params.name, q: request.query.q }),
    );
    routes.get("/explode", async () => {
      throw new Error("secret internal detail");
    });
    routes.get("/deadlocked", async () => {
      // What pg throws once a transaction's own retries gave up: contention, not the caller's fault.
      throw Object.assign(new Error("deadlock detected"), { code: "40P01" });
    });
  },
});

const token = (roles: ("admin" | "member")[], expiresIn = "1h") =>
  signToken(auth, { tenantId, subject: "person-1", roles }, expiresIn);

/** GET `url` as a member of the tenant. */
const getAsMember = async (url: string) =>
  app.inject({ method: "GET", url, headers: { authorization: `Bearer ${await token(["member"])}` } });

beforeAll(() => app.ready());
afterAll(() => app.close());

const post = async (body: unknown, authorization?: string, contentType = "application/json") =>
  app.inject({
    method: "POST",
    url: "/widgets",
    headers: { "content-type": contentType, ...(authorization ? { authorization } : {}) },
    payload: typeof body === "string" ? body : JSON.stringify(body),
  });

describe("service app", () => {
  it("accepts a valid request from an admin and scopes it to the token's tenant", async () => {
    const response = await post({ name: "gear", size: 3 }, `Bearer ${await token(["admin"])}`);
    expect(response.statusCode).toBe(201);
    expect(response.json()).toEqual({ name: "gear", tenantId });
  });

  it.each([
    ["a missing field", { name: "gear" }, /size/],
    ["a wrong type", { name: "gear", size: "big" }, /integer/],
    ["a number where a string belongs (never coerced)", { name: 5, size: 1 }, /\/name.*string/],
    ["an oversized string", { name: "x".repeat(21), size: 1 }, /20 characters|maxLength|fewer than/],
    ["an unknown field", { name: "gear", size: 1, color: "red" }, /additional/],
  ])("answers %s with 400 problem+json listing the errors", async (_case, body, message) => {
    const response = await post(body, `Bearer ${await token(["admin"])}`);
    expect(response.statusCode).toBe(400);
    expect(response.headers["content-type"]).toMatch(/^application\/problem\+json/);
    const problem = response.json();
    expect(problem).toMatchObject({
      status: 400,
      type: "https://okr-platform.dev/problems/validation",
      instance: "/widgets",
    });
    expect(JSON.stringify(problem.errors)).toMatch(message);
  });

  it("answers malformed JSON with 400 problem+json", async () => {
    const response = await post("{not json", `Bearer ${await token(["admin"])}`);
    expect(response.statusCode).toBe(400);
    expect(response.headers["content-type"]).toMatch(/problem\+json/);
  });

  it.each([
    ["a NUL character", '{"name":"ge\\u0000ar","size":1}', "/name"],
    ["a lone high surrogate", '{"name":"\\ud800x","size":1}', "/name"],
    ["a lone low surrogate", '{"name":"x\\udc00","size":1}', "/name"],
    ["a surrogate pair in the wrong order", '{"name":"\\udc00\\ud800","size":1}', "/name"],
    ["a NUL in a nested key", '{"name":"gear","size":1,"extra":[{"k\\u0000":1}]}', "/extra/0/k\u0000"],
  ])("answers a body string with %s with 400 problem+json naming the field", async (_case, raw, path) => {
    const response = await post(raw, `Bearer ${await token(["admin"])}`);
    expect(response.statusCode).toBe(400);
    expect(response.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({
      status: 400,
      type: "https://okr-platform.dev/problems/validation",
      errors: [{ in: "body", path }],
    });
    expect(response.json().detail).toMatch(/NUL|surrogate/);
  });

  it("accepts escaped text Postgres can store: a surrogate pair, an escaped backslash before u0000", async () => {
    for (const [raw, name] of [
      ['{"name":"gear \\ud83d\\ude00","size":1}', "gear \u{1F600}"],
      ['{"name":"\\\\u0000","size":1}', "\\u0000"],
      ['{"name":"caf\\u00e9","size":1}', "caf\u00e9"],
    ] as const) {
      const response = await post(raw, `Bearer ${await token(["admin"])}`);
      expect([raw, response.statusCode]).toEqual([raw, 201]);
      expect(response.json().name).toBe(name);
    }
  });

  it.each([
    ["path", "/notes/a%00b", "params", "/name"],
    ["query", "/notes/a?q=x%00", "querystring", "/q"],
  ])("answers a NUL in the %s with 400 problem+json naming the field", async (_case, url, where, path) => {
    const response = await getAsMember(url);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ status: 400, errors: [{ in: where, path }] });
    const fine = await getAsMember("/notes/a%2500b?q=%25");
    expect(fine.json()).toEqual({ name: "a%00b", q: "%" });
  });

  it.each([
    ["no token", undefined, /Bearer/],
    ["a garbage token", "Bearer abc.def.ghi", /not valid/],
  ])("answers %s with 401", async (_case, authorization, detail) => {
    const response = await post({ name: "gear", size: 1 }, authorization);
    expect(response.statusCode).toBe(401);
    expect(response.json().detail).toMatch(detail);
  });

  /** A token with exactly these claims (HS256, the app's secret and issuer unless overridden). */
  const rawToken = (claims: Record<string, unknown>, issuer = auth.issuer) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: "HS256" })
      .setIssuer(issuer)
      .sign(new TextEncoder().encode(auth.secret));
  const now = () => Math.floor(Date.now() / 1000);
  const valid = () => ({ tenant: tenantId, sub: "p", roles: ["admin"], iat: now(), exp: now() + 3600 });

  it.each([
    ["a tenant that is not a UUID", { tenant: "not-a-uuid" }, /tenant must be a UUID/],
    ["a numeric tenant", { tenant: 42 }, /tenant must be a UUID/],
    ["no tenant", { tenant: undefined }, /tenant must be a UUID/],
    ["no sub", { sub: undefined }, /sub/],
    ["a sub with a NUL", { sub: "a\u0000b" }, /sub/],
    ["an oversized sub", { sub: "s".repeat(201) }, /sub/],
    ["no known role", { roles: ["root"] }, /role/],
    ["roles that are not a list", { roles: "admin" }, /role/],
    ["no exp", { exp: undefined }, /exp/],
    ["an exp a hundred years away", { exp: now() + 100 * 365 * 86_400 }, /at most 86400 s/],
    ["an exp a day and a minute after iat", { exp: now() + 86_460 }, /at most/],
    ["an iat two days ago with exp in an hour", { iat: now() - 2 * 86_400 }, /at most/],
    ["no iat and an exp two days away", { iat: undefined, exp: now() + 2 * 86_400 }, /at most/],
  ])("answers a token with %s with 401 invalid_token, and nothing runs", async (_case, claims, detail) => {
    const token = await rawToken({ ...valid(), ...claims });
    const response = await post({ name: "gear", size: 1 }, `Bearer ${token}`);
    expect(response.statusCode).toBe(401);
    expect(response.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({
      status: 401,
      type: "https://okr-platform.dev/problems/unauthorized",
    });
    expect(response.json().detail).toMatch(detail);
    expect(response.headers["www-authenticate"]).toMatch(
      /^Bearer realm="okr-test", error="invalid_token", error_description="[^"]+"$/,
    );
    // The same token is refused again: a refused token is never remembered.
    expect((await post({ name: "gear", size: 1 }, `Bearer ${token}`)).statusCode).toBe(401);
  });

  it("accepts a token valid for just under the cap, and the bearer scheme in any case", async () => {
    const token = await rawToken({ ...valid(), exp: now() + 86_000 });
    for (const scheme of ["Bearer", "bearer", "BEARER", "bEaReR"]) {
      const response = await post({ name: "gear", size: 1 }, `${scheme} ${token}`);
      expect([scheme, response.statusCode]).toEqual([scheme, 201]);
    }
  });

  it("sends a Bearer challenge on every 401: without error when no token came", async () => {
    for (const authorization of [undefined, "Basic dXNlcjpwYXNz", "Bearer"]) {
      const response = await post({ name: "gear", size: 1 }, authorization);
      expect([authorization, response.statusCode]).toEqual([authorization, 401]);
      expect(response.headers["www-authenticate"]).toBe('Bearer realm="okr-test"');
    }
    const garbage = await post({ name: "gear", size: 1 }, "Bearer abc.def.ghi");
    expect(garbage.headers["www-authenticate"]).toMatch(/error="invalid_token"/);
    const otherIssuer = await post(
      { name: "gear", size: 1 },
      `Bearer ${await rawToken(valid(), "someone-else")}`,
    );
    expect(otherIssuer.statusCode).toBe(401);
    expect(otherIssuer.headers["www-authenticate"]).toMatch(/error="invalid_token"/);
  });

  it("caps token lifetime at the configured maximum", async () => {
    const strict = await createServiceApp({
      name: "kit-strict",
      description: "a service with a one-hour token cap",
      auth: { ...auth, maxTokenLifetimeSeconds: 3600 },
      logger: false,
      routes: async (routes) => {
        routes.get("/me", async (request) => ({ tenantId: request.principal.tenantId }));
      },
    });
    try {
      const get = async (expiresIn: string) =>
        strict.inject({
          url: "/me",
          headers: {
            authorization: `Bearer ${await signToken(auth, { tenantId, subject: "p", roles: ["member"] }, expiresIn)}`,
          },
        });
      expect((await get("59m")).json()).toEqual({ tenantId });
      const tooLong = await get("2h");
      expect(tooLong.statusCode).toBe(401);
      expect(tooLong.json().detail).toMatch(/at most 3600 s/);
    } finally {
      await strict.close();
    }
  });

  it("answers an expired token with 401 saying so", async () => {
    const expired = await signToken(auth, { tenantId, subject: "p", roles: ["admin"] }, "-1m");
    const response = await post({ name: "gear", size: 1 }, `Bearer ${expired}`);
    expect(response.statusCode).toBe(401);
    expect(response.json().detail).toMatch(/expired/);
    expect(response.headers["www-authenticate"]).toMatch(
      /error="invalid_token", error_description="the token has expired"/,
    );
  });

  it("answers a token signed with another secret with 401", async () => {
    const forged = await signToken(
      { ...auth, secret: "another-secret-entirely" },
      { tenantId, subject: "p", roles: ["admin"] },
    );
    expect((await post({ name: "gear", size: 1 }, `Bearer ${forged}`)).statusCode).toBe(401);
  });

  it("remembers a verified token only until its expiry, and only by its exact text", async () => {
    const shortLived = await signToken(auth, { tenantId, subject: "p", roles: ["member"] }, "2s");
    const get = (authorization: string) =>
      app.inject({ method: "GET", url: "/widgets/7", headers: { authorization } });
    expect((await get(`Bearer ${shortLived}`)).statusCode).toBe(404);
    // Same header and claims, another signature: not the remembered token, so verified and refused.
    const [header, payload] = shortLived.split(".");
    expect((await get(`Bearer ${header}.${payload}.${"A".repeat(43)}`)).statusCode).toBe(401);
    const { exp } = JSON.parse(Buffer.from(payload!, "base64url").toString()) as { exp: number };
    await new Promise((resolve) => setTimeout(resolve, exp * 1000 - Date.now() + 50));
    const late = await get(`Bearer ${shortLived}`);
    expect(late.statusCode).toBe(401);
    expect(late.json().detail).toMatch(/expired/);
  });

  it("answers a missing role with 403 and a broken rule with 422", async () => {
    expect((await post({ name: "gear", size: 1 }, `Bearer ${await token(["member"])}`)).statusCode).toBe(403);
    const broken = await post({ name: "taken", size: 1 }, `Bearer ${await token(["admin"])}`);
    expect(broken.statusCode).toBe(422);
    expect(broken.json().type).toBe("https://okr-platform.dev/problems/widget-name-taken");
  });

  it("answers unknown routes and missing resources with 404 problem+json", async () => {
    const unknown = await getAsMember("/nope");
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().type).toMatch(/route-not-found/);
    const missing = await getAsMember("/widgets/7");
    expect(missing.json()).toMatchObject({ status: 404, detail: "widget 7 does not exist" });
    const found = await getAsMember("/widgets/12");
    expect(found.json()).toEqual({ id: 12 });
    const badParam = await getAsMember("/widgets/x");
    expect(badParam.statusCode).toBe(400);
    expect(badParam.json().errors).toEqual([expect.objectContaining({ in: "params", path: "/id" })]);
  });

  it("answers a query parameter the route does not declare with 400, on every route alike", async () => {
    const undeclared = await getAsMember("/widgets/12?verbose=1");
    expect(undeclared.statusCode).toBe(400);
    expect(undeclared.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect(undeclared.json().errors).toEqual([expect.objectContaining({ in: "querystring" })]);
    const extra = await getAsMember("/notes/a?q=x&qq=y");
    expect(extra.statusCode).toBe(400);
    expect(JSON.stringify(extra.json().errors)).toMatch(/additional/);
    expect((await getAsMember("/notes/a?q=x")).json()).toEqual({ name: "a", q: "x" });
    expect((await getAsMember("/widgets/12")).statusCode).toBe(200);
    expect((await app.inject("/healthz?probe=1")).statusCode).toBe(200);
  });

  it("hides internals of a 500 but gives the request id", async () => {
    const response = await getAsMember("/explode");
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain("secret internal detail");
    expect(response.json().requestId).toBe(response.headers["x-request-id"] ?? response.json().requestId);
  });

  it("answers a write conflict that outlived its retries with 503 and Retry-After, not 500", async () => {
    const response = await getAsMember("/deadlocked");
    expect(response.statusCode).toBe(503);
    expect(response.headers["retry-after"]).toBe("1");
    expect(response.headers["content-type"]).toContain("application/problem+json");
    expect(response.json().type).toBe("https://okr-platform.dev/problems/write-conflict");
    expect(response.body).not.toContain("deadlock detected");
  });

  it("serves health, readiness and OpenAPI without a token", async () => {
    expect((await app.inject("/healthz")).statusCode).toBe(200);
    expect((await app.inject("/readyz")).json()).toEqual({ status: "ready", checks: { database: "ok" } });
    ready = false;
    const notReady = await app.inject("/readyz");
    ready = true;
    expect(notReady.statusCode).toBe(503);
    expect(notReady.json().checks.database).toBe("connection refused");
    const spec = (await app.inject("/docs/json")).json();
    expect(spec.openapi).toBe("3.1.0");
    expect(Object.keys(spec.paths)).toContain("/widgets");
    expect((await app.inject("/docs")).statusCode).toBeLessThan(400);
  });

  it("while starting, answers API calls 503 + Retry-After and says why on /readyz, then serves", async () => {
    let starting: string | undefined = "applying database migrations";
    app.addReadinessCheck("startup", async () => {
      if (starting) throw new Error(starting);
    });
    app.holdRequests(starting);
    const authorization = `Bearer ${await token(["admin"])}`;
    const create = () =>
      app.inject({
        method: "POST",
        url: "/widgets",
        headers: { authorization },
        payload: { name: "early", size: 1 },
      });

    const held = await create();
    expect(held.statusCode).toBe(503);
    expect(held.headers["retry-after"]).toBe("1");
    expect(held.headers["content-type"]).toContain("application/problem+json");
    expect(held.json()).toMatchObject({ status: 503, detail: expect.stringContaining("migrations") });
    expect((await app.inject("/healthz")).statusCode).toBe(200);
    expect((await app.inject("/docs/json")).statusCode).toBe(200);
    expect((await app.inject("/nowhere")).statusCode).toBe(404);
    const waiting = await app.inject("/readyz");
    expect(waiting.statusCode).toBe(503);
    expect(waiting.json().checks).toEqual({ database: "ok", startup: "applying database migrations" });

    // Requests are served before the background work runs; readiness waits for both.
    app.holdRequests(undefined);
    starting = "starting background work (Kafka consumers)";
    expect((await create()).statusCode).toBe(201);
    expect((await app.inject("/readyz")).statusCode).toBe(503);
    starting = undefined;
    expect((await app.inject("/readyz")).json()).toEqual({
      status: "ready",
      checks: { database: "ok", startup: "ok" },
    });
  });

  it("turns /readyz to 503 once shutdown began", async () => {
    app.markShuttingDown();
    expect((await app.inject("/readyz")).statusCode).toBe(503);
  });
});
