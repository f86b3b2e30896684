import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { API_RESOURCE, WEB_CLIENT_ID } from "../src/provider.ts";
import { redeemAuthorizationCode, requestAuthorizationCode } from "../src/sign-in.ts";
import { startTemporaryIdentityProvider } from "../src/testing.ts";

// The web client's refresh tokens: to a server exchanging the code (the web app), never to a browser page.
const serverCallback = "http://127.0.0.1:5173/auth/callback";
const pageCallback = "http://127.0.0.1:3101/docs/static/oauth2-redirect.html";
const email = "lin@example.com";
const password = "lin-password";
const idp = await startTemporaryIdentityProvider({
  accounts: [{ sub: "lin", email, name: "Lin", password, tenant: randomUUID(), groups: ["okr-members"] }],
  webRedirectUris: [serverCallback, pageCallback],
  serviceClientSecret: "a-service-secret",
});
afterAll(async () => {
  await idp.close();
});

type TokenAnswer = { access_token?: string; refresh_token?: string; error?: string };

async function tokens(redirectUri: string, origin?: string): Promise<TokenAnswer> {
  const { code, verifier } = await requestAuthorizationCode({
    issuer: idp.issuer,
    redirectUri,
    email,
    password,
  });
  const answer = await redeemAuthorizationCode({
    issuer: idp.issuer,
    redirectUri,
    code: code as string,
    verifier,
    ...(origin ? { origin } : {}),
  });
  return (await answer.json()) as TokenAnswer;
}

const refresh = async (refreshToken: string) =>
  (await (
    await fetch(`${idp.issuer}/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "refresh_token",
        refresh_token: refreshToken,
        client_id: WEB_CLIENT_ID,
        resource: API_RESOURCE,
      }),
    })
  ).json()) as TokenAnswer;

describe("refresh tokens of the web client", () => {
  it("go to a server exchanging the code, renew the access token once each, and rotate", async () => {
    const first = await tokens(serverCallback);
    expect(first.refresh_token).toEqual(expect.any(String));
    const renewed = await refresh(first.refresh_token as string);
    expect(renewed.access_token).toEqual(expect.any(String));
    expect(renewed.access_token).not.toBe(first.access_token);
    expect(renewed.refresh_token).not.toBe(first.refresh_token);
    // A used refresh token is spent: replaying it is refused.
    expect((await refresh(first.refresh_token as string)).error).toBe("invalid_grant");
  });

  it("are not given to a page that exchanges the code in the browser", async () => {
    const page = await tokens(pageCallback, "http://127.0.0.1:3101");
    expect(page.access_token).toEqual(expect.any(String));
    expect(page.refresh_token).toBeUndefined();
  });
});
