import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "@okr/config";
import { startIdentityProvider } from "@okr/identity-provider";
import { freePort } from "@okr/testkit";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWebApp } from "../src/app.ts";
import { WebConfigSchema } from "../src/config.ts";

/**
 * The web app's session rules over plain HTTP, signed in through a real provider: what the browser test
 * cannot easily show (a forged cross-site call, an open redirect, a replayed callback, a service down).
 */
const email = "grace@acme.example";
const password = "grace-pw";
const dataDir = mkdtempSync(join(tmpdir(), "okr-web-session-"));
let idp: Awaited<ReturnType<typeof startIdentityProvider>>;
let web: FastifyInstance;
let webUrl: string;

beforeAll(async () => {
  const port = await freePort();
  webUrl = `http://127.0.0.1:${port}`;
  idp = await startIdentityProvider({
    port: 0,
    dataDir,
    accounts: [
      { sub: "grace", email, name: "Grace", password, tenant: randomUUID(), groups: ["okr-members"] },
    ],
    webRedirectUris: [`${webUrl}/auth/callback`],
    serviceClientSecret: randomBytes(16).toString("hex"),
  });
  // Nothing listens at GOALS_URL: a call that passes every check meets a service that is down.
  const config = loadConfig(WebConfigSchema, {
    NODE_ENV: "test",
    WEB_PORT: String(port),
    GOALS_URL: `http://127.0.0.1:${await freePort()}`,
    OIDC_ISSUER: idp.issuer,
    WEB_STATIC_DIR: dataDir,
  });
  web = await createWebApp(config, { logger: false });
  await web.listen({ host: "127.0.0.1", port });
});

afterAll(async () => {
  await web?.close();
  await idp?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** A browser's cookie jar, one per host, and requests that never follow redirects on their own. */
function browser() {
  const jars = new Map<string, Map<string, string>>();
  return async (url: string, init: RequestInit = {}) => {
    const { host } = new URL(url);
    const jar = jars.get(host) ?? new Map<string, string>();
    jars.set(host, jar);
    const response = await fetch(url, {
      ...init,
      redirect: "manual",
      headers: { ...init.headers, cookie: [...jar].map(([k, v]) => `${k}=${v}`).join("; ") },
    });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair = ""] = cookie.split(";");
      const at = pair.indexOf("=");
      const value = pair.slice(at + 1);
      if (value === "" || /max-age=0|expires=thu, 01 jan 1970/i.test(cookie)) jar.delete(pair.slice(0, at));
      else jar.set(pair.slice(0, at), value);
    }
    return response;
  };
}

/** A JSON answer: the tests read its fields and assert on them. */
const json = async (response: Response) => (await response.json()) as Record<string, string>;

const location = (response: Response) => {
  expect(response.status).toBeGreaterThanOrEqual(300);
  expect(response.status).toBeLessThan(400);
  return new URL(response.headers.get("location") as string, response.url).toString();
};

/** The browser's way through sign-in: the app, the provider's form, back to the app's callback. */
async function signIn(get: ReturnType<typeof browser>, returnTo: string) {
  const start = await get(`${webUrl}/auth/sign-in?returnTo=${encodeURIComponent(returnTo)}`);
  const interaction = location(await get(location(start)));
  expect((await get(interaction)).status).toBe(200);
  const login = await get(`${interaction}/login`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ email, password }),
  });
  const callback = location(await get(location(login)));
  expect(callback.startsWith(`${webUrl}/auth/callback?`)).toBe(true);
  return { start, callback, landed: await get(callback) };
}

describe("the web app's sessions", () => {
  it("keeps the session in an httpOnly SameSite=Lax cookie and returns only to its own paths", async () => {
    const get = browser();
    const { start, callback, landed } = await signIn(get, "//evil.example/phish");
    expect(start.headers.getSetCookie().join()).toMatch(/HttpOnly; SameSite=Lax/);
    expect(location(landed)).toBe(`${webUrl}/`);
    expect(landed.headers.getSetCookie().find((c) => c.startsWith("okr_session="))).toMatch(
      /HttpOnly; SameSite=Lax/,
    );
    const session = await (await get(`${webUrl}/auth/session`)).json();
    expect(session).toMatchObject({ signedIn: true, person: { subject: "grace", email } });
    expect(JSON.stringify(session)).not.toMatch(/eyJ/); // no token reaches the browser

    // The callback works once: replayed, it finds no sign-in waiting.
    expect(location(await get(callback))).toBe(`${webUrl}/?signIn=expired`);
  });

  it("refuses state-changing calls without the session's CSRF token or from another origin", async () => {
    const get = browser();
    await signIn(get, "/cycles");
    const { csrfToken } = (await (await get(`${webUrl}/auth/session`)).json()) as { csrfToken: string };
    const post = (headers: Record<string, string>) =>
      get(`${webUrl}/api/cycles`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify({ name: "2027-Q1" }),
      });

    const noToken = await post({ origin: webUrl });
    expect(noToken.status).toBe(403);
    expect(noToken.headers.get("content-type")).toMatch(/application\/problem\+json/);
    expect((await json(noToken)).type).toMatch(/\/csrf$/);
    const wrongToken = await post({ origin: webUrl, "x-csrf-token": `${csrfToken.slice(1)}x` });
    expect(wrongToken.status).toBe(403);
    const otherOrigin = await post({ origin: "http://evil.example", "x-csrf-token": csrfToken });
    expect((await json(otherOrigin)).type).toMatch(/\/cross-origin$/);

    const accepted = await post({ origin: webUrl, "x-csrf-token": csrfToken });
    expect(accepted.status).toBe(503);
    expect(accepted.headers.get("retry-after")).toBe("2");

    // Another browser's CSRF token is not this session's.
    const other = browser();
    await signIn(other, "/");
    const theirs = (await (await other(`${webUrl}/auth/session`)).json()) as { csrfToken: string };
    expect((await post({ origin: webUrl, "x-csrf-token": theirs.csrfToken })).status).toBe(403);
  });

  it("answers 401 problem+json to API calls and sign-out without a session", async () => {
    const get = browser();
    const api = await get(`${webUrl}/api/cycles`);
    expect(api.status).toBe(401);
    expect((await json(api)).type).toMatch(/\/signed-out$/);
    expect(
      (await get(`${webUrl}/auth/sign-out`, { method: "POST", headers: { origin: webUrl } })).status,
    ).toBe(401);
  });

  it("signs out: the session is gone and the browser is sent to the provider's end-session page", async () => {
    const get = browser();
    await signIn(get, "/");
    const { csrfToken } = (await (await get(`${webUrl}/auth/session`)).json()) as { csrfToken: string };
    const out = await get(`${webUrl}/auth/sign-out`, {
      method: "POST",
      headers: { origin: webUrl, "x-csrf-token": csrfToken },
    });
    expect(out.status).toBe(200);
    expect((await json(out)).endSessionUrl).toMatch(new RegExp(`^${idp.issuer}/session/end\\?`));
    expect(await (await get(`${webUrl}/auth/session`)).json()).toEqual({ signedIn: false });
  });
});
