import { randomUUID } from "node:crypto";
import { requestAuthorizationCode } from "@okr/identity-provider";
import { startTemporaryIdentityProvider } from "@okr/identity-provider/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OidcClient } from "../src/oidc.ts";

// A real provider whose issuer is a name this process cannot resolve (`.invalid` never resolves), as the
// published address is inside a container: the web app must reach it through OIDC_BACKCHANNEL_URL while
// browsers and tokens keep the issuer.
const redirectUri = "http://127.0.0.1:1/auth/callback";
const person = { sub: "rae", email: "rae@example.com", name: "Rae Backchannel", password: "a long password" };
const publicOrigin = "http://identity.invalid:3180";
let idp: Awaited<ReturnType<typeof startTemporaryIdentityProvider>>;
let backchannel: string;

beforeAll(async () => {
  idp = await startTemporaryIdentityProvider({
    issuer: publicOrigin,
    accounts: [{ ...person, tenant: randomUUID(), groups: ["okr-members"] }],
    webRedirectUris: [redirectUri],
    serviceClientSecret: "a-service-secret",
  });
  backchannel = `http://127.0.0.1:${idp.port}`;
});
afterAll(() => idp.close());

const client = (backchannelUrl?: string) =>
  new OidcClient({
    issuer: publicOrigin,
    backchannelUrl,
    clientId: "okr-web",
    redirectUri,
    resource: "urn:okr:api",
    scopes: "openid email profile api",
  });

describe("the web app's own route to its provider (OIDC_BACKCHANNEL_URL)", () => {
  it("sends browsers to the issuer's address and signs them in through the back channel", async () => {
    const oidc = client(backchannel);
    const { url } = await oidc.beginSignIn();
    expect(url.origin).toBe(publicOrigin);
    expect(url.pathname).toBe("/auth");

    // The browser's half (login form, consent) at the provider, then the callback it would bring back.
    const authorization = await requestAuthorizationCode({
      issuer: backchannel,
      redirectUri,
      email: person.email,
      password: person.password,
    });
    expect(authorization.status).toBe(200);
    const state = "backchannel-state";
    const callback = new URL(redirectUri);
    callback.search = new URLSearchParams({
      code: authorization.code ?? "",
      state,
      iss: publicOrigin,
    }).toString();
    const { tokens, person: signedIn } = await oidc.completeSignIn(callback, {
      state,
      codeVerifier: authorization.verifier,
    });
    expect(signedIn).toEqual({ subject: person.sub, name: person.name, email: person.email });
    expect(tokens.refreshToken).toEqual(expect.any(String));

    // Renewal goes the same way; the ID token still names the public issuer.
    const renewed = await oidc.refresh(tokens);
    expect(renewed.accessToken).not.toBe(tokens.accessToken);
    const [, payload = ""] = (renewed.idToken ?? "").split(".");
    expect(JSON.parse(Buffer.from(payload, "base64url").toString())).toMatchObject({ iss: publicOrigin });
    expect(await oidc.endSessionUrl(renewed.idToken)).toMatch(new RegExp(`^${publicOrigin}/`));
  });

  it("without it, the issuer's own address is tried and sign-in fails instead of reaching another host", async () => {
    await expect(client().beginSignIn()).rejects.toThrow();
  });
});
