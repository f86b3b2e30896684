import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
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
 * cannot easily show (a forged cross-site call, an open redirect, a replayed callback, token renewal, a
 * service down). In place of goals, a server that answers what reached it shows what is forwarded.
 */
const email = "grace@acme.example";
const password = "grace-pw";
const dataDir = mkdtempSync(join(tmpdir(), "okr-web-session-"));
let idp: Awaited<ReturnType<typeof startIdentityProvider>>;
let web: FastifyInstance;
let webUrl: string;
let upstream: Server;

/** Answers what it was sent; under /problem, a 422 problem+json with Retry-After, as goals would. */
function echoServer(): Server {
  return createServer(async (request, response) => {
    let body = "";
    for await (const chunk of request) body += chunk;
    if (request.url?.startsWith("/problem")) {
      response.writeHead(422, { "content-type": "application/problem+json", "retry-after": "7" });
      response.end(
        JSON.stringify({ type: "https://okr-platform.dev/problems/x", title: "Refused", status: 422 }),
      );
      return;
    }
    response.writeHead(200, { "content-type": "application/json" });
    response.end(
      JSON.stringify({ method: request.method, url: request.url, headers: request.headers, body }),
    );
  });
}

beforeAll(async () => {
  upstream = echoServer();
  await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
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
    // Under the web app's one-minute renewal margin: every API call renews the token first.
    accessTokenTtlSeconds: 30,
  });
  const config = loadConfig(WebConfigSchema, {
    NODE_ENV: "test",
    WEB_PORT: String(port),
    GOALS_URL: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`,
    OIDC_ISSUER: idp.issuer,
    WEB_STATIC_DIR: dataDir,
  });
  web = await createWebApp(config, { logger: false });
  await web.listen({ host: "127.0.0.1", port });
});

afterAll(async () => {
  upstream?.close();
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
    expect(session).toMatchObject({
      signedIn: true,
      person: { subject: "grace", email },
      // The configured defaults: the local Temporal UI, the namespace the cycle workflows run in.
      links: { temporalUi: "http://127.0.0.1:8233/namespaces/default" },
    });
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
    expect(accepted.status).toBe(200);
    expect(await accepted.json()).toMatchObject({
      method: "POST",
      url: "/cycles",
      body: '{"name":"2027-Q1"}',
    });

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

  it("forwards calls with a renewed access token and passes the service's answers through", async () => {
    const get = browser();
    await signIn(get, "/");
    const seen = async () => {
      const answer = await get(`${webUrl}/api/echo?limit=5`, { headers: { "idempotency-key": "k-1" } });
      expect(answer.status).toBe(200);
      return (await answer.json()) as { url: string; headers: Record<string, string> };
    };
    const first = await seen();
    const second = await seen();
    expect(first.url).toBe("/echo?limit=5");
    expect(first.headers["idempotency-key"]).toBe("k-1");
    expect(first.headers.cookie).toBeUndefined();
    // Each token lives 30 s, inside the renewal margin: the second call was renewed with the refresh token.
    const claims = (header: string) =>
      JSON.parse(Buffer.from(header.replace(/^Bearer /, "").split(".")[1] as string, "base64url").toString());
    expect(claims(first.headers.authorization as string)).toMatchObject({ iss: idp.issuer, sub: "grace" });
    expect(claims(second.headers.authorization as string)).toMatchObject({ iss: idp.issuer, sub: "grace" });
    expect(second.headers.authorization).not.toBe(first.headers.authorization);

    const refused = await get(`${webUrl}/api/problem`);
    expect(refused.status).toBe(422);
    expect(refused.headers.get("content-type")).toBe("application/problem+json");
    expect(refused.headers.get("retry-after")).toBe("7");
    expect(await refused.json()).toEqual({
      type: "https://okr-platform.dev/problems/x",
      title: "Refused",
      status: 422,
    });
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

  it("streams live updates to signed-in sessions only, and tells EventSource to stop when it has no broker", async () => {
    const get = browser();
    const signedOutLive = await get(`${webUrl}/live`);
    expect(signedOutLive.status).toBe(401);
    expect((await json(signedOutLive)).type).toMatch(/\/signed-out$/);
    await signIn(get, "/");
    // This app was started without KAFKA_BROKERS: 204 is EventSource's "do not reconnect".
    const live = await get(`${webUrl}/live`);
    expect(live.status).toBe(204);
  });

  it("answers 503 problem+json with Retry-After while the service cannot be reached", async () => {
    const get = browser();
    await signIn(get, "/");
    await new Promise((resolve) => upstream.close(resolve));
    const down = await get(`${webUrl}/api/echo`);
    expect(down.status).toBe(503);
    expect(down.headers.get("retry-after")).toBe("2");
    expect((await json(down)).type).toMatch(/\/service-unavailable$/);
  });
});
