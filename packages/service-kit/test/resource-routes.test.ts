import { Type } from "typebox";
import { afterAll, describe, expect, it } from "vitest";
import { createServiceApp, resource, signToken } from "../src/index.ts";

interface Runtime {
  greeting: string;
}
const runtime: Runtime = { greeting: "hello" };

const gears = resource<Runtime>("gears", (app, { greeting }) => {
  app.get(
    "/gears",
    { schema: { summary: "List gears", response: { 200: Type.String() } } },
    async () => greeting,
  );
  app.get(
    "/gears/audit",
    { schema: { tags: ["audit"], summary: "A gear's audit", response: { 200: Type.String() } } },
    async () => "audited",
  );
});
const springs = resource<Runtime>("springs", (app) => {
  app.get(
    "/springs",
    { schema: { summary: "List springs", response: { 200: Type.String() } } },
    async () => "",
  );
});

const auth = { secret: "test-secret-of-some-length", issuer: "okr-test" };
const app = await createServiceApp({
  name: "kit-resource-test",
  description: "service-kit resource routes test app",
  auth,
  logger: false,
  routes: async (routes) => {
    routes.get("/plain", { schema: { summary: "No resource" } }, async () => "");
    await routes.register(gears(runtime));
    await routes.register(springs(runtime));
  },
});
afterAll(() => app.close());

describe("resource routes", () => {
  const operations = async () => {
    const document = (await app.inject({ method: "GET", url: "/docs/json" })).json();
    return (path: string) => document.paths[path].get as { tags?: string[]; summary: string };
  };

  it("tags every route of a file with its resource, once, and leaves other files' routes alone", async () => {
    const operation = await operations();
    expect(operation("/gears").tags).toEqual(["gears"]);
    expect(operation("/springs").tags).toEqual(["springs"]);
    expect(operation("/plain").tags).toBeUndefined();
  });

  it("keeps the tags a route names itself", async () => {
    expect((await operations())("/gears/audit").tags).toEqual(["audit"]);
  });

  it("declares the routes with the runtime it is given", async () => {
    const token = await signToken(auth, {
      tenantId: "66666666-6666-4666-8666-666666666666",
      subject: "p-1",
      roles: ["member"],
    });
    const response = await app.inject({
      method: "GET",
      url: "/gears",
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe(runtime.greeting);
  });
});
