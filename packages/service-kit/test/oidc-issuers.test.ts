import { createHmac, createPublicKey, generateKeyPairSync, randomBytes, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { parseTrustedIssuers } from "@okr/config";
import {
  API_AUDIENCE,
  localIssuerTrust,
  type PrivateJwk,
  requestServiceToken,
  SERVICE_CLIENT_ID,
  signInWithPassword,
  startIdentityProvider,
} from "@okr/identity-provider";
import { startTemporaryIdentityProvider } from "@okr/identity-provider/testing";
import { decodeProtectedHeader, importJWK, type JWTPayload, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServiceApp, requireRole, signToken, type TrustedIssuer } from "../src/index.ts";

// The real local OpenID provider on a private port, and a service app trusting it: no mocked verifier.
const tenantId = randomUUID();
const otherTenantId = randomUUID();
const serviceSecret = randomBytes(16).toString("hex");
const redirectUri = "http://127.0.0.1:1/callback";
const people = [
  { sub: "ada", email: "ada@acme.example", name: "Ada", password: "ada-pw", groups: ["okr-admins"] },
  { sub: "lea", email: "lea@acme.example", name: "Lea", password: "lea-pw", groups: ["okr-leaders"] },
  { sub: "max", email: "max@acme.example", name: "Max", password: "max-pw", groups: ["okr-members"] },
  { sub: "fin", email: "fin@acme.example", name: "Fin", password: "fin-pw", groups: ["finance"] },
].map((person) => ({ ...person, tenant: tenantId }));
const hs256 = { secret: "shared-test-secret-0123456789", issuer: "okr-test" };

const idp = await startTemporaryIdentityProvider({
  accounts: people,
  webRedirectUris: [redirectUri],
  serviceClientSecret: serviceSecret,
});
// What `npm start` puts in AUTH_ISSUERS for this provider, read the way a service reads it.
const trusted = parseTrustedIssuers(JSON.stringify([localIssuerTrust(idp.issuer)])) as TrustedIssuer[];
// An issuer whose provider is down (nothing listens on port 9).
const unreachable = "http://127.0.0.1:9/down";
let handled = 0;
const app = await createServiceApp({
  name: "oidc-test",
  description: "service-kit app trusting the local identity provider",
  auth: {
    ...hs256,
    issuers: [...trusted, { issuer: unreachable, audience: API_AUDIENCE }],
    keyFetch: { jwksCooldownMs: 100, jwksCacheMaxAgeMs: 1_000 },
  },
  logger: false,
  routes: async (routes) => {
    routes.get("/whoami", async (request) => {
      handled++;
      return request.principal;
    });
    routes.post("/settings", async (request, reply) => {
      requireRole(request, "admin");
      handled++;
      return reply.status(204).send();
    });
  },
});

beforeAll(() => app.ready());
afterAll(async () => {
  await app.close();
  await idp.close();
});

const whoami = (token: string) =>
  app.inject({ method: "GET", url: "/whoami", headers: { authorization: `Bearer ${token}` } });

const serviceToken = (tenant = tenantId) =>
  requestServiceToken({ issuer: idp.issuer, clientSecret: serviceSecret, tenantId: tenant });

/** A person signing in through the provider's own pages: authorization code + PKCE, as the web app does. */
const signIn = async (email: string, password: string) => {
  const result = await signInWithPassword({ issuer: idp.issuer, redirectUri, email, password });
  return { status: result.status, token: result.accessToken };
};

const providerKeys = () => (JSON.parse(readFileSync(idp.keysFile, "utf8")) as { keys: PrivateJwk[] }).keys;
const es256Key = (keys = providerKeys()) => keys.find((key) => key.alg === "ES256") as PrivateJwk;

/** A token signed with the provider's own current key, with claims a test chooses. */
async function signedByProvider(claims: JWTPayload, key = es256Key()): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ tenant: tenantId, groups: ["okr-admins"], ...claims })
    .setProtectedHeader({ alg: "ES256", kid: key.kid, typ: "at+jwt" })
    .setIssuer(typeof claims.iss === "string" ? claims.iss : idp.issuer)
    .setAudience(claims.aud ?? API_AUDIENCE)
    .setSubject("ada")
    .setIssuedAt(claims.iat ?? now)
    .setExpirationTime(claims.exp ?? now + 300)
    .sign(await importJWK(key, "ES256"));
}

const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
const validClaims = () => ({
  iss: idp.issuer,
  aud: API_AUDIENCE,
  sub: "ada",
  tenant: tenantId,
  groups: ["okr-admins"],
  iat: Math.floor(Date.now() / 1000),
  exp: Math.floor(Date.now() / 1000) + 300,
});

async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

describe("tokens of a configured OpenID Connect issuer", () => {
  it("accepts a client-credentials token for the tenant it names, as the service role", async () => {
    const response = await whoami(await serviceToken());
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      tenantId,
      subject: SERVICE_CLIENT_ID,
      roles: ["service"],
      identity: { issuer: idp.issuer, subject: SERVICE_CLIENT_ID, emailVerified: false },
    });
    const other = await whoami(await serviceToken(otherTenantId));
    expect(other.json()).toMatchObject({ tenantId: otherTenantId });
  });

  it("signs a person in by authorization code + PKCE, and maps their IdP groups to roles", async () => {
    const expected = {
      "ada@acme.example": ["admin"],
      "lea@acme.example": ["leader"],
      "max@acme.example": ["member"],
    };
    for (const [email, roles] of Object.entries(expected)) {
      const person = people.find((p) => p.email === email) as (typeof people)[number];
      const { token } = await signIn(email, person.password);
      const response = await whoami(token as string);
      expect(response.json()).toEqual({
        tenantId,
        subject: person.sub,
        roles,
        // What a service links the sign-in to a person by: the address the issuer verified.
        identity: { issuer: idp.issuer, subject: person.sub, email, emailVerified: true, name: person.name },
      });
      const settings = await app.inject({
        method: "POST",
        url: "/settings",
        headers: { authorization: `Bearer ${token}` },
      });
      expect(settings.statusCode).toBe(roles.includes("admin") ? 204 : 403);
    }
  });

  it("refuses a wrong password at the provider, and a person whose groups map to no role at the service", async () => {
    expect((await signIn("ada@acme.example", "not-her-password")).status).toBe(401);
    const { token } = await signIn("fin@acme.example", "fin-pw");
    const response = await whoami(token as string);
    expect(response.statusCode).toBe(401);
    expect(response.json().detail).toMatch(/at least one role/);
  });

  it("keeps accepting HS256 tokens of the shared-secret issuer", async () => {
    const token = await signToken(hs256, { tenantId, subject: "bench", roles: ["member"] });
    expect((await whoami(token)).json()).toEqual({ tenantId, subject: "bench", roles: ["member"] });
  });

  it("checks a provider token with no network round trip once the keys are cached", async () => {
    await whoami(await serviceToken());
    const fetched: string[] = [];
    const original = globalThis.fetch;
    globalThis.fetch = (input, init) => {
      fetched.push(String(input instanceof Request ? input.url : input));
      return original(input, init);
    };
    try {
      // A different token text each time, so the verified-token cache does not answer.
      for (let i = 0; i < 5; i++) {
        expect((await whoami(await signedByProvider({ jti: randomUUID() }))).statusCode).toBe(200);
      }
    } finally {
      globalThis.fetch = original;
    }
    expect(fetched).toEqual([]);
  });
});

describe("refused issuer tokens: 401 problem+json with a Bearer invalid_token challenge, nothing runs", () => {
  const now = () => Math.floor(Date.now() / 1000);
  const cases: [string, () => Promise<string>, RegExp][] = [
    ["expired", () => signedByProvider({ iat: now() - 900, exp: now() - 120 }), /expired/],
    ["for another audience", () => signedByProvider({ aud: "someone-elses-api" }), /not meant for this API/],
    [
      "from an issuer nobody configured",
      () => signedByProvider({ iss: "http://127.0.0.1:9/evil" }),
      /not valid/,
    ],
    [
      "signed by a key the provider never published",
      async () => {
        const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
        return new SignJWT(validClaims())
          .setProtectedHeader({ alg: "ES256", kid: "never-published" })
          .sign(privateKey);
      },
      /key its issuer does not publish/,
    ],
    [
      "signed by a key the provider never published, under a kid it does publish",
      async () => {
        const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
        return new SignJWT(validClaims())
          .setProtectedHeader({ alg: "ES256", kid: es256Key().kid })
          .sign(privateKey);
      },
      /not valid/,
    ],
    [
      "with alg none",
      async () => `${part({ alg: "none", typ: "JWT" })}.${part(validClaims())}.`,
      /algorithm/,
    ],
    [
      "HS256-signed with the provider's public key as the HMAC secret",
      async () => {
        const key = es256Key();
        const publicPem = createPublicKey({ key: key as never, format: "jwk" })
          .export({ type: "spki", format: "pem" })
          .toString();
        const unsigned = `${part({ alg: "HS256", typ: "JWT", kid: key.kid })}.${part(validClaims())}`;
        return `${unsigned}.${createHmac("sha256", publicPem).update(unsigned).digest("base64url")}`;
      },
      /algorithm/,
    ],
    [
      "without an expiry",
      async () => signedByProvider({ exp: undefined }).then(stripExp),
      /not valid|expiry/,
    ],
  ];

  it.each(cases)("refuses a token %s", async (_case, make, detail) => {
    const before = handled;
    const response = await whoami(await make());
    expect(response.statusCode).toBe(401);
    expect(response.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect(response.headers["www-authenticate"]).toMatch(/^Bearer realm="okr-test", error="invalid_token"/);
    expect(response.json().detail).toMatch(detail);
    expect(handled).toBe(before);
  });
});

/** The same claims re-signed without `exp` (SignJWT cannot leave it out once set by the helper). */
async function stripExp(token: string): Promise<string> {
  const [, payload = ""] = token.split(".");
  const { exp: _exp, ...claims } = JSON.parse(Buffer.from(payload, "base64url").toString()) as JWTPayload;
  const key = es256Key();
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "ES256", kid: key.kid })
    .sign(await importJWK(key, "ES256"));
}

describe("an issuer that cannot be reached", () => {
  it("answers 503 with Retry-After, not 401: the caller's token may be fine", async () => {
    const before = handled;
    for (let i = 0; i < 2; i++) {
      const response = await whoami(await signedByProvider({ iss: unreachable, jti: randomUUID() }));
      expect(response.statusCode).toBe(503);
      expect(response.headers["retry-after"]).toBe("5");
      expect(response.json().detail).toMatch(/could not be reached/);
    }
    expect(handled).toBe(before);
  });
});

describe("key rotation while the service runs", () => {
  it("accepts tokens signed by a new key after the JWKS refetch, and refuses a retired key's new tokens", async () => {
    const oldKey = es256Key();
    const before = await serviceToken();
    expect((await whoami(before)).statusCode).toBe(200);

    idp.rotateKeys();
    const after = await serviceToken();
    const newKid = decodeProtectedHeader(after).kid;
    expect(newKid).not.toBe(oldKey.kid);
    // The service has never seen this kid: it refetches the provider's JWKS (once the cooldown allows).
    await eventually(async () => (await whoami(after)).statusCode === 200, "the new key to be accepted");
    // The old key is still published until it is retired: what it signed keeps working.
    expect((await whoami(await signedByProvider({ jti: randomUUID() }, oldKey))).statusCode).toBe(200);

    expect(idp.retireOldKeys()).toContain(oldKey.kid);
    // Once the service's cached key set is stale it refetches; the retired key then signs nothing valid.
    await eventually(
      async () => (await whoami(await signedByProvider({ jti: randomUUID() }, oldKey))).statusCode === 401,
      "the retired key to be refused",
    );
    expect((await whoami(await serviceToken())).statusCode).toBe(200);
  });

  it("keeps its keys across a restart of the provider", async () => {
    const published = await (await fetch(`${idp.issuer}/jwks`)).json();
    const restarted = await startIdentityProvider({
      port: 0,
      dataDir: idp.dataDir,
      accounts: people,
      webRedirectUris: [redirectUri],
      serviceClientSecret: serviceSecret,
    });
    try {
      expect(await (await fetch(`${restarted.issuer}/jwks`)).json()).toEqual(published);
    } finally {
      await restarted.close();
    }
  });
});
