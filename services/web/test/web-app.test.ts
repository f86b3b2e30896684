import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "@okr/config";
import { freePort } from "@okr/testkit";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWebApp } from "../src/app.ts";
import { WebConfigSchema } from "../src/config.ts";

// The web app with no provider and no service listening: what it answers on its own.
const staticDir = mkdtempSync(join(tmpdir(), "okr-web-static-"));
let web: FastifyInstance;

beforeAll(async () => {
  writeFileSync(join(staticDir, "index.html"), "<!doctype html><title>OKR platform</title>");
  const config = loadConfig(WebConfigSchema, {
    NODE_ENV: "test",
    OIDC_ISSUER: `http://127.0.0.1:${await freePort()}`,
    GOALS_URL: `http://127.0.0.1:${await freePort()}`,
    WEB_STATIC_DIR: staticDir,
  });
  web = await createWebApp(config, { logger: false });
});

afterAll(async () => {
  await web?.close();
  rmSync(staticDir, { recursive: true, force: true });
});

describe("the web app on its own", () => {
  it("answers 503 problem+json with Retry-After when the identity provider cannot be reached", async () => {
    const answer = await web.inject({ method: "GET", url: "/auth/sign-in" });
    expect(answer.statusCode).toBe(503);
    expect(answer.headers["retry-after"]).toBe("5");
    expect(answer.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect(answer.json().type).toMatch(/\/identity-provider-unavailable$/);
  });

  it("serves the app for any page path, revalidated, under a CSP that allows only its own resources", async () => {
    const page = await web.inject({ method: "GET", url: "/key-results/some-id?tab=history" });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("<title>OKR platform</title>");
    expect(page.headers["cache-control"]).toBe("no-cache");
    expect(page.headers["content-security-policy"]).toMatch(/default-src 'self'; script-src 'self';/);
    expect(page.headers["x-frame-options"]).toBe("DENY");
  });

  it("answers 401 problem+json, not the app or a file, for an API call or an export without a session", async () => {
    for (const url of [
      "/api/value-stream/streams",
      "/api/scoring/scores/cycles/00000000-0000-4000-8000-000000000000",
      "/exports/cycles/00000000-0000-4000-8000-000000000000/okrs.csv",
    ]) {
      const answer = await web.inject({ method: "GET", url });
      expect(answer.statusCode, url).toBe(401);
      expect(answer.headers["content-type"], url).toMatch(/^application\/problem\+json/);
    }
  });

  it("answers 404 problem+json for an unknown /auth path, not the app", async () => {
    const answer = await web.inject({ method: "GET", url: "/auth/unknown" });
    expect(answer.statusCode).toBe(404);
    expect(answer.headers["content-type"]).toMatch(/^application\/problem\+json/);
  });
});
