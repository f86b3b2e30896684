import type { AddressInfo } from "node:net";
import { apiFor, startTestService, type TestService } from "@okr/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ValueStreamDb } from "../src/database.ts";
import { createValueStreamService } from "../src/service.ts";
import { createStream, step } from "./support.ts";

const origin = "https://okr.example.com";
const PER_MINUTE = 5;

let service: TestService<ValueStreamDb>;
let base: string;
beforeAll(async () => {
  service = await startTestService(createValueStreamService(), {
    CORS_ALLOWED_ORIGINS: `${origin},http://localhost:5173`,
    RATE_LIMIT_PER_MINUTE: String(PER_MINUTE),
  });
  await service.app.listen({ host: "127.0.0.1", port: 0 });
  base = `http://127.0.0.1:${(service.app.server.address() as AddressInfo).port}`;
});
afterAll(() => service.stop());

describe("the value-stream service over HTTP, configured from its environment", () => {
  it("serves the map SVG to a listed origin with security headers, and limits one caller only", async () => {
    const tenant = crypto.randomUUID();
    const { streamId } = await createStream(apiFor(service, await service.token(["leader"], tenant)), [
      step("Take application"),
      step("Underwrite"),
    ]);
    const member = await service.token(["member"], tenant);
    const map = () =>
      fetch(`${base}/streams/${streamId}/map.svg`, {
        headers: { authorization: `Bearer ${member}`, origin },
      });

    const preflight = await fetch(`${base}/streams/${streamId}/map.svg`, {
      method: "OPTIONS",
      headers: {
        origin,
        "access-control-request-method": "GET",
        "access-control-request-headers": "authorization",
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe(origin);
    expect(preflight.headers.get("access-control-allow-credentials")).toBe("true");
    expect(preflight.headers.get("access-control-allow-headers")).toBe("authorization");
    const foreign = await fetch(`${base}/streams/${streamId}/map.svg`, {
      method: "OPTIONS",
      headers: { origin: "https://elsewhere.example", "access-control-request-method": "GET" },
    });
    expect([...foreign.headers.keys()].filter((name) => name.startsWith("access-control-"))).toEqual([]);

    const svg = await map();
    expect(svg.status).toBe(200);
    expect(svg.headers.get("content-type")).toMatch(/^image\/svg\+xml/);
    expect((await svg.text()).startsWith("<svg")).toBe(true);
    expect(svg.headers.get("content-security-policy")).toMatch(/^default-src 'none';/);
    expect(svg.headers.get("x-content-type-options")).toBe("nosniff");
    expect(svg.headers.get("access-control-allow-origin")).toBe(origin);

    for (let i = 1; i < PER_MINUTE; i++) expect((await map()).status).toBe(200);
    const limited = await map();
    expect(limited.status).toBe(429);
    expect(limited.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    // The browser may read why: the 429 carries the CORS headers too.
    expect(limited.headers.get("access-control-allow-origin")).toBe(origin);
    expect(((await limited.json()) as { type: string }).type).toBe(
      "https://okr-platform.dev/problems/rate-limited",
    );

    // Another person of the tenant still gets the map.
    const colleague = await service.token(["member"], tenant);
    const theirs = await fetch(`${base}/streams/${streamId}/map.svg`, {
      headers: { authorization: `Bearer ${colleague}` },
    });
    expect(theirs.status).toBe(200);
  });
});
