import { request as httpRequest } from "node:http";
import { Type } from "typebox";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServiceApp, notFound, PageQuery, page, problems, signToken } from "../src/index.ts";

const auth = { secret: "test-secret-of-some-length", issuer: "okr-test" };
const Kind = Type.Union([Type.Literal("gear"), Type.Literal("spring"), Type.Literal("lever")]);

const app = await createServiceApp({
  name: "kit-openapi-test",
  description: "service-kit OpenAPI test app",
  auth,
  logger: false,
  routes: async (routes) => {
    // A catch-all like @fastify/cors's preflight route: it must not make unknown paths 405s.
    routes.options("*", { schema: { hide: true }, config: { public: true } }, async (_request, reply) =>
      reply.status(204).send(),
    );
    routes.post(
      "/widgets",
      {
        schema: {
          body: Type.Object(
            { kind: Kind, parts: Type.Optional(Type.Array(Type.Object({ kind: Kind }))) },
            { additionalProperties: false },
          ),
          response: { 201: Type.Object({ kind: Type.String() }) },
        },
      },
      async (request, reply) => reply.status(201).send({ kind: request.body.kind }),
    );
    // Makes a widget: its id addresses /widgets/:id and what lies below it.
    routes.post(
      "/widgets/assembly",
      {
        config: { creates: "/widgets/:id" },
        schema: { response: { 201: Type.Object({ id: Type.String() }) } },
      },
      async (_request, reply) => reply.status(201).send({ id: "3" }),
    );
    // Takes the id of a widget the assembly made in its body.
    routes.post(
      "/sprockets",
      {
        config: { bodyIdsFrom: { widgetId: "POST /widgets/assembly" } },
        schema: {
          body: Type.Object({ widgetId: Type.String() }, { additionalProperties: false }),
          response: { 201: Type.Object({ widgetId: Type.String() }) },
        },
      },
      async (request, reply) => reply.status(201).send({ widgetId: request.body.widgetId }),
    );
    routes.get(
      "/widgets",
      {
        schema: {
          querystring: Type.Object(PageQuery, { additionalProperties: false }),
          response: { 200: Type.Object({ items: Type.Array(Type.Object({ id: Type.String() })) }) },
        },
      },
      async (request) => ({ items: page([], request.query.limit).items }),
    );
    routes.post(
      "/widgets/:id/polish",
      {
        config: { optionalBody: true },
        schema: {
          params: Type.Object({ id: Type.String() }),
          body: Type.Object({ shine: Type.Optional(Type.Integer()) }, { additionalProperties: false }),
          response: { 200: Type.Object({ shine: Type.Integer() }) },
        },
      },
      async (request) => ({ shine: request.body.shine ?? 1 }),
    );
    // Takes a missing body as empty, but an empty one lacks what it requires: the body stays required.
    routes.post(
      "/widgets/:id/scrap",
      {
        config: { optionalBody: true },
        schema: {
          params: Type.Object({ id: Type.String() }),
          body: Type.Object({ reason: Type.String() }, { additionalProperties: false }),
          response: { 200: Type.Object({ reason: Type.String() }) },
        },
      },
      async (request) => ({ reason: request.body.reason }),
    );
    routes.get(
      "/widgets/:id",
      {
        schema: {
          params: Type.Object({ id: Type.String() }),
          response: { 200: Type.Object({ id: Type.String() }), ...problems(404) },
        },
      },
      async (request) => {
        if (request.params.id === "7") throw notFound("widget 7");
        return { id: request.params.id };
      },
    );
  },
});

const token = await signToken(auth, {
  tenantId: "66666666-6666-4666-8666-666666666666",
  subject: "p-1",
  roles: ["admin"],
});
const headers = { authorization: `Bearer ${token}` };
let base: string;
beforeAll(async () => {
  base = await app.listen({ host: "127.0.0.1", port: 0 });
});
afterAll(() => app.close());

describe("problem answers", () => {
  it("names the allowed values of a union of literals once, instead of one error per literal", async () => {
    const response = await app.inject({
      method: "POST",
      url: "/widgets",
      headers,
      payload: { kind: "bolt", parts: [{ kind: "gear" }, { kind: 5 }] },
    });
    expect(response.statusCode).toBe(400);
    const problem = response.json();
    expect(problem.errors).toEqual([
      {
        in: "body",
        path: "/kind",
        message: "must be one of: gear, spring, lever",
        allowed: ["gear", "spring", "lever"],
      },
      {
        in: "body",
        path: "/parts/1/kind",
        message: "must be one of: gear, spring, lever",
        allowed: ["gear", "spring", "lever"],
      },
    ]);
    expect(problem.detail).toBe(
      "body /kind must be one of: gear, spring, lever; body /parts/1/kind must be one of: gear, spring, lever",
    );
    // Other errors keep their own message.
    const missing = await app.inject({ method: "POST", url: "/widgets", headers, payload: {} });
    expect(missing.json().errors).toEqual([
      { in: "body", path: "/", message: "must have required property 'kind'", missing: "kind" },
    ]);
  });

  it.each(["TRACE", "PUT", "DELETE"] as const)(
    "answers %s on a path that has other methods with 405 and Allow",
    async (method) => {
      const response = await app.inject({ method, url: "/widgets", headers });
      expect(response.statusCode).toBe(405);
      expect(response.headers.allow).toBe("POST, GET, HEAD");
      expect(response.headers["content-type"]).toMatch(/^application\/problem\+json/);
      expect(response.json()).toMatchObject({
        status: 405,
        type: expect.stringMatching(/method-not-allowed$/),
      });
    },
  );

  it("answers a body method without Content-Type on a path without it with 405, and unknown paths with 404", async () => {
    const query = await app.inject({ method: "QUERY" as "GET", url: "/widgets/3", headers });
    expect(query.statusCode).toBe(405);
    expect(query.headers.allow).toBe("GET, HEAD");
    const unknown = await app.inject({ method: "TRACE", url: "/gadgets", headers });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().type).toMatch(/route-not-found$/);
    // What did exist still answers as before.
    expect((await app.inject({ url: "/widgets/3", headers })).json()).toEqual({ id: "3" });
    expect((await app.inject({ url: "/widgets/7", headers })).statusCode).toBe(404);
  });

  it("answers a path parameter past the length limit with 414 problem+json", async () => {
    const response = await app.inject({ url: `/widgets/${"x".repeat(1001)}`, headers });
    expect(response.statusCode).toBe(414);
    expect(response.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({ status: 414, type: expect.stringMatching(/max-param-length$/) });
  });

  it("answers headers past Node's size limit with 431 problem+json", async () => {
    const { status, contentType, body } = await new Promise<{
      status?: number;
      contentType?: string;
      body: string;
    }>((resolve, reject) => {
      const request = httpRequest(`${base}/widgets`, {
        headers: { ...headers, "x-padding": "p".repeat(20_000) },
      });
      request.on("response", (response) => {
        let body = "";
        response.on("data", (chunk) => {
          body += chunk;
        });
        response.on("end", () =>
          resolve({ status: response.statusCode, contentType: response.headers["content-type"], body }),
        );
      });
      request.on("error", reject);
      request.end();
    });
    expect(status).toBe(431);
    expect(contentType).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(body)).toMatchObject({
      status: 431,
      type: expect.stringMatching(/headers-too-large$/),
    });
  });
});

describe("the OpenAPI document", () => {
  it("declares every problem a route may answer, as problem+json", async () => {
    const spec = (await app.inject("/docs/json")).json();
    const statuses = (path: string, method: string) => Object.keys(spec.paths[path][method].responses).sort();
    expect(statuses("/widgets", "post")).toEqual(["201", "400", "401", "413", "415", "429", "503"]);
    expect(statuses("/widgets", "get")).toEqual(["200", "400", "401", "429", "503"]);
    expect(statuses("/widgets/{id}", "get")).toEqual(["200", "400", "401", "404", "414", "429", "503"]);
    for (const operations of Object.values(spec.paths) as Record<string, { responses: object }>[])
      for (const { responses } of Object.values(operations))
        for (const [status, response] of Object.entries(responses as Record<string, { content?: object }>))
          if (Number(status) >= 400)
            expect(Object.keys(response.content ?? {})).toEqual(["application/problem+json"]);
    // Success answers keep their own schema and content type.
    expect(Object.keys(spec.paths["/widgets"].post.responses["201"].content)).toEqual(["application/json"]);
  });

  it("marks the body of an optionalBody route as not required, and such a route takes a POST without one", async () => {
    const spec = (await app.inject("/docs/json")).json();
    expect(spec.paths["/widgets/{id}/polish"].post.requestBody.required).toBe(false);
    expect(spec.paths["/widgets"].post.requestBody.required).toBe(true);
    // Found by the fuzz stage: a body-less call that an empty body cannot satisfy was documented as valid.
    expect(spec.paths["/widgets/{id}/scrap"].post.requestBody.required).toBe(true);
    const scrapped = await app.inject({ method: "POST", url: "/widgets/3/scrap", headers });
    expect([scrapped.statusCode, scrapped.json().errors[0].missing]).toEqual([400, "reason"]);
    const bare = await app.inject({ method: "POST", url: "/widgets/3/polish", headers });
    expect([bare.statusCode, bare.json()]).toEqual([200, { shine: 1 }]);
    const bad = await app.inject({
      method: "POST",
      url: "/widgets/3/polish",
      headers,
      payload: { shine: "x" },
    });
    expect(bad.statusCode).toBe(400);
  });

  it("links a creating route's answer to every operation its id addresses, and only those", async () => {
    const spec = (await app.inject("/docs/json")).json();
    // A link that passes the created id as the operation's path parameter `id`.
    const byId = (operationRef: string) => ({ operationRef, parameters: { id: "$response.body#/id" } });
    expect(spec.paths["/widgets/assembly"].post.responses["201"].links).toEqual({
      "post-widgets-id-polish": byId("#/paths/~1widgets~1{id}~1polish/post"),
      "post-widgets-id-scrap": byId("#/paths/~1widgets~1{id}~1scrap/post"),
      "get-widgets-id": byId("#/paths/~1widgets~1{id}/get"),
      "post-sprockets-widgetId": {
        operationRef: "#/paths/~1sprockets/post",
        requestBody: { widgetId: "$response.body#/id" },
      },
    });
    // Each link names an operation the document has; routes that create nothing link nowhere.
    for (const link of Object.values(spec.paths["/widgets/assembly"].post.responses["201"].links) as {
      operationRef: string;
    }[]) {
      const [, path, method] = link.operationRef.match(/^#\/paths\/(.+)\/(\w+)$/) ?? [];
      expect(spec.paths[(path as string).replaceAll("~1", "/")][method as string]).toBeDefined();
    }
    expect(spec.paths["/widgets"].post.responses["201"].links).toBeUndefined();
    expect(spec.paths["/sprockets"].post.responses["201"].links).toBeUndefined();
    // The link is truthful: the id the creator answers reads back.
    const made = await app.inject({ method: "POST", url: "/widgets/assembly", headers });
    expect((await app.inject({ url: `/widgets/${made.json().id}`, headers })).statusCode).toBe(200);
  });

  it("lists a query parameter with a default as optional, and still fills the default in", async () => {
    const spec = (await app.inject("/docs/json")).json();
    const parameters = spec.paths["/widgets"].get.parameters as { name: string; required?: boolean }[];
    expect(parameters.find((p) => p.name === "limit")?.required).not.toBe(true);
    expect((await app.inject({ url: "/widgets", headers })).json()).toEqual({ items: [] });
    expect((await app.inject({ url: "/widgets?limit=0", headers })).statusCode).toBe(400);
  });
});
