import { randomUUID } from "node:crypto";
import { createServer } from "node:net";
import { parseTrustedIssuers } from "@okr/config";
import { localIssuerTrust, signInWithPassword, WEB_CLIENT_ID } from "@okr/identity-provider";
import { startTemporaryIdentityProvider } from "@okr/identity-provider/testing";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServiceApp, docsRedirectUri, type TrustedIssuer } from "../src/index.ts";

// A service whose /docs signs in at the real local OpenID provider, listening on a port chosen before
// the provider starts: the provider's web client must name the service's /docs redirect page.
const tenant = randomUUID();
const person = { sub: "ada", email: "ada@acme.example", name: "Ada", password: "ada-pw", tenant };

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
    probe.once("error", reject);
  });

const origin = `http://127.0.0.1:${await freePort()}`;
const idp = await startTemporaryIdentityProvider({
  accounts: [{ ...person, groups: ["okr-admins"] }],
  webRedirectUris: [docsRedirectUri(origin)],
  serviceClientSecret: "unused-in-this-test",
});
// What `npm start` gives a service in AUTH_ISSUERS, read the way the service reads it.
const trusted = parseTrustedIssuers(JSON.stringify([localIssuerTrust(idp.issuer)])) as TrustedIssuer[];

const serviceApp = (issuers: TrustedIssuer[]) =>
  createServiceApp({
    name: "docs-sign-in-test",
    description: "a service whose docs sign people in",
    auth: { issuer: "okr-test", issuers },
    logger: false,
    routes: async (routes) => {
      routes.get("/whoami", async (request) => request.principal);
    },
  });
const app = await serviceApp(trusted);

interface OAuthScheme {
  type: string;
  flows: {
    authorizationCode: { authorizationUrl: string; tokenUrl: string; scopes: Record<string, string> };
  };
}
interface InitOAuth {
  clientId: string;
  usePkceWithAuthorizationCodeGrant: boolean;
  scopes: string[];
}

const documentOf = async (service = app) =>
  (await service.inject("/docs/json")).json() as {
    components: { securitySchemes: Record<string, OAuthScheme> };
    security: Record<string, string[]>[];
  };

/** What Swagger UI is initialized with: the page's initializer script passes it to `ui.initOAuth`. */
async function initOAuthOf(service = app): Promise<InitOAuth> {
  const script = (await service.inject("/docs/static/swagger-initializer.js")).body;
  expect(script).toContain("oauth2RedirectUrl: resolveUrl('./static/oauth2-redirect.html')");
  const argument = /ui\.initOAuth\((.*)\)/.exec(script)?.[1];
  return JSON.parse(argument ?? "null") as InitOAuth;
}

beforeAll(async () => {
  await app.listen({ host: "127.0.0.1", port: Number(new URL(origin).port) });
});
afterAll(async () => {
  await app.close();
  await idp.close();
});

describe("/docs sign-in at an OpenID Connect issuer", () => {
  it("declares an oauth2 scheme with the issuer's own endpoints, beside the bearer scheme", async () => {
    const discovery = (await (await fetch(`${idp.issuer}/.well-known/openid-configuration`)).json()) as {
      authorization_endpoint: string;
      token_endpoint: string;
    };
    const document = await documentOf();
    const { bearer, oauth2 } = document.components.securitySchemes;
    expect(bearer).toMatchObject({ type: "http", scheme: "bearer" });
    expect(oauth2?.type).toBe("oauth2");
    expect(oauth2?.flows.authorizationCode.authorizationUrl).toBe(discovery.authorization_endpoint);
    expect(oauth2?.flows.authorizationCode.tokenUrl).toBe(discovery.token_endpoint);
    expect(Object.keys(oauth2?.flows.authorizationCode.scopes ?? {})).toEqual([
      "openid",
      "email",
      "profile",
      "api",
    ]);
    // Either one authorizes a call: a pasted token still works, and so does the fuzz stage's.
    expect(document.security).toEqual([{ bearer: [] }, { oauth2: [] }]);
    expect(await initOAuthOf()).toEqual({
      clientId: WEB_CLIENT_ID,
      usePkceWithAuthorizationCodeGrant: true,
      scopes: ["openid", "email", "profile", "api"],
    });
  });

  it("signs a person in by code + PKCE as Swagger UI does, and the service accepts the access token", async () => {
    const { flows } = (await documentOf()).components.securitySchemes.oauth2 as OAuthScheme;
    const initOAuth = await initOAuthOf();
    const redirectUri = docsRedirectUri(origin);
    const result = await signInWithPassword({
      issuer: idp.issuer,
      clientId: initOAuth.clientId,
      authorizationEndpoint: flows.authorizationCode.authorizationUrl,
      tokenEndpoint: flows.authorizationCode.tokenUrl,
      scopes: initOAuth.scopes,
      // Swagger UI names no resource: the provider's default (the platform's API) applies.
      resource: null,
      // The /docs page exchanges the code itself: the token endpoint must allow its origin.
      origin,
      redirectUri,
      email: person.email,
      password: person.password,
    });
    expect(result.status).toBe(200);
    const whoami = await fetch(`${origin}/whoami`, {
      headers: { authorization: `Bearer ${result.accessToken}` },
    });
    expect(whoami.status).toBe(200);
    expect(await whoami.json()).toMatchObject({ tenantId: tenant, subject: "ada", roles: ["admin"] });
    // What a first sign-in links the person by travels in the access token, which is all a service sees.
    expect(decodeJwt(result.accessToken ?? "")).toMatchObject({ email: person.email, email_verified: true });

    // The page the provider sends the popup back to is served, may script, and keeps its opener.
    const redirectPage = await fetch(`${redirectUri}?code=x&state=y`);
    expect(redirectPage.status).toBe(200);
    expect(await redirectPage.text()).toContain('<script src="oauth2-redirect.js">');
    expect(redirectPage.headers.get("cross-origin-opener-policy")).toBe("unsafe-none");
    // The docs page may call the token endpoint, and its popup keeps it as its opener.
    const docsPage = await fetch(`${origin}/docs`);
    expect(docsPage.headers.get("content-security-policy")).toContain(`connect-src 'self' ${idp.issuer}`);
    expect(docsPage.headers.get("cross-origin-opener-policy")).toBe("same-origin-allow-popups");
  });

  it("refuses the code exchange from a page whose origin the web client does not name", async () => {
    await expect(
      signInWithPassword({
        issuer: idp.issuer,
        redirectUri: docsRedirectUri(origin),
        resource: null,
        origin: "http://127.0.0.1:1",
        email: person.email,
        password: person.password,
      }),
    ).rejects.toThrow(/does not allow the origin http:\/\/127\.0\.0\.1:1/);
  });

  it("starts while the provider is down, and offers only the bearer scheme without a docs client", async () => {
    const down = "http://127.0.0.1:9/down";
    const whileDown = await serviceApp([localIssuerTrust(down)]);
    const scheme = (await documentOf(whileDown)).components.securitySchemes.oauth2;
    expect(scheme?.flows.authorizationCode.tokenUrl).toBe(`${down}/token`);
    await whileDown.close();

    const { docs: _docs, ...withoutDocs } = localIssuerTrust(idp.issuer);
    const bearerOnly = await serviceApp([withoutDocs]);
    const document = await documentOf(bearerOnly);
    expect(Object.keys(document.components.securitySchemes)).toEqual(["bearer"]);
    expect(document.security).toEqual([{ bearer: [] }]);
    expect((await bearerOnly.inject("/docs/static/swagger-initializer.js")).body).toContain(
      "ui.initOAuth({})",
    );
    await bearerOnly.close();
  });
});
