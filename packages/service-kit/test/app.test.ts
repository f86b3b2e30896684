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
    routes.get("/explode", async () => {
      throw new Error("secret internal detail");
    });
  },
});

const token = (roles: ("admin" | "member")[], expiresIn = "1h") =>
  signToken(auth, { tenantId, subject: "person-1", roles }, expiresIn);

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
    ["no token", undefined, /Bearer/],
    ["a garbage token", "Bearer abc.def.ghi", /not valid/],
  ])("answers %s with 401", async (_case, authorization, detail) => {
    const response = await post({ name: "gear", size: 1 }, authorization);
    expect(response.statusCode).toBe(401);
    expect(response.json().detail).toMatch(detail);
  });

  it("answers an expired token with 401 saying so", async () => {
    const expired = await signToken(auth, { tenantId, subject: "p", roles: ["admin"] }, "-1m");
    const response = await post({ name: "gear", size: 1 }, `Bearer ${expired}`);
    expect(response.statusCode).toBe(401);
    expect(response.json().detail).toMatch(/expired/);
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
    const unknown = await app.inject({
      method: "GET",
      url: "/nope",
      headers: { authorization: `Bearer ${await token(["member"])}` },
    });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().type).toMatch(/route-not-found/);
    const missing = await app.inject({
      method: "GET",
      url: "/widgets/7",
      headers: { authorization: `Bearer ${await token(["member"])}` },
    });
    expect(missing.json()).toMatchObject({ status: 404, detail: "widget 7 does not exist" });
    const found = await app.inject({
      method: "GET",
      url: "/widgets/12",
      headers: { authorization: `Bearer ${await token(["member"])}` },
    });
    expect(found.json()).toEqual({ id: 12 });
    const badParam = await app.inject({
      method: "GET",
      url: "/widgets/x",
      headers: { authorization: `Bearer ${await token(["member"])}` },
    });
    expect(badParam.statusCode).toBe(400);
    expect(badParam.json().errors).toEqual([expect.objectContaining({ in: "params", path: "/id" })]);
  });

  it("hides internals of a 500 but gives the request id", async () => {
    const response = await app.inject({
      method: "GET",
      url: "/explode",
      headers: { authorization: `Bearer ${await token(["member"])}` },
    });
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain("secret internal detail");
    expect(response.json().requestId).toBe(response.headers["x-request-id"] ?? response.json().requestId);
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
