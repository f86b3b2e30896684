import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Account } from "../src/accounts.ts";
import { type RunningIdentityProvider, startIdentityProvider } from "../src/provider.ts";
import {
  ProviderBrowser,
  redeemAuthorizationCode,
  requestAuthorizationCode,
  signInWithPassword,
} from "../src/sign-in.ts";

// The real provider over HTTP, stopped and started again on the same data directory and port.
const dataDir = mkdtempSync(join(tmpdir(), "okr-idp-restart-"));
const redirectUri = "http://127.0.0.1:1/callback";
const person: Account = {
  sub: "pat",
  email: "pat@example.com",
  name: "Pat",
  password: "correct horse",
  tenant: randomUUID(),
  groups: ["okr-members"],
};
const start = (port: number) =>
  startIdentityProvider({
    port,
    dataDir,
    accounts: [person],
    webRedirectUris: [redirectUri],
    serviceClientSecret: "a-service-secret",
  });
let idp: RunningIdentityProvider = await start(0);
const restart = async () => {
  await idp.close();
  // One turn of the event loop, so fetch's pooled connections see the old server hang up first.
  await new Promise((resolve) => setImmediate(resolve));
  idp = await start(idp.port);
};
afterAll(async () => {
  await idp.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const signIn = { issuer: idp.issuer, redirectUri, email: person.email, password: person.password };
const redeem = async (code: string | undefined, verifier: string) => {
  const response = await redeemAuthorizationCode({ ...signIn, code: code ?? "", verifier });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

describe("the provider's state across a restart", () => {
  it("keeps a person signed in: the next authorization completes without the login form", async () => {
    const browser = new ProviderBrowser(idp.issuer);
    const first = await signInWithPassword({ ...signIn, browser });
    expect(first).toMatchObject({ status: 200, loginForm: true, accessToken: expect.any(String) });

    await restart();
    const again = await signInWithPassword({ ...signIn, browser });
    expect(again).toMatchObject({ status: 200, loginForm: false, accessToken: expect.any(String) });
    // A browser without the session cookie still meets the form.
    expect((await requestAuthorizationCode({ ...signIn, password: "wrong" })).status).toBe(401);
  });

  it("redeems a code issued before the restart, once", async () => {
    const { code, verifier } = await requestAuthorizationCode(signIn);
    await restart();
    expect((await redeem(code, verifier)).status).toBe(200);
    await restart();
    expect((await redeem(code, verifier)).body.error).toBe("invalid_grant");
  });

  it("keeps a revoked grant revoked: its other codes stay void after a restart", async () => {
    const browser = new ProviderBrowser(idp.issuer);
    const replayed = await requestAuthorizationCode({ ...signIn, browser });
    // The same session and grant, without the form.
    const sibling = await requestAuthorizationCode({ ...signIn, browser });
    expect(sibling.loginForm).toBe(false);
    expect((await redeem(replayed.code, replayed.verifier)).status).toBe(200);
    // Redeeming a code twice revokes its grant (RFC 6749 section 4.1.2): every code and token of it.
    expect((await redeem(replayed.code, replayed.verifier)).body.error).toBe("invalid_grant");

    await restart();
    expect((await redeem(sibling.code, sibling.verifier)).body).toMatchObject({ error: "invalid_grant" });
    // The session itself still holds; it gets a new grant, whose code works.
    const renewed = await requestAuthorizationCode({ ...signIn, browser });
    expect(renewed.loginForm).toBe(false);
    expect((await redeem(renewed.code, renewed.verifier)).status).toBe(200);
  });
});
