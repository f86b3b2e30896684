import { randomBytes, randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { localIssuerTrust, SERVICE_CLIENT_ID } from "@okr/identity-provider";
import { startTemporaryIdentityProvider } from "@okr/identity-provider/testing";
import { clientCredentialsTokens, signToken } from "@okr/service-kit";
import { decodeJwt } from "jose";
import { afterAll, describe, expect, it } from "vitest";
import { serviceCaller } from "../src/http.ts";
import { startWhoamiService } from "./whoami-service.ts";

// The real local identity provider, issuing four-second tokens, and a service that trusts only it.
const secret = randomBytes(16).toString("hex");
const idp = await startTemporaryIdentityProvider({
  accounts: [],
  webRedirectUris: ["http://127.0.0.1:1/callback"],
  serviceClientSecret: secret,
  accessTokenTtlSeconds: 4,
});
const { app, baseUrl, seen } = await startWhoamiService(
  "worker-oidc-test",
  "a service the worker calls, trusting the identity provider",
  {
    issuer: "okr-test",
    issuers: [{ ...localIssuerTrust(idp.issuer), roleMap: { "okr-services": "service" } }],
  },
);
// The compose shape: tokens name the issuer browsers use, which the worker and services cannot reach.
const hidden = await startTemporaryIdentityProvider({
  issuer: "http://identity.invalid:3180",
  accounts: [],
  webRedirectUris: ["http://127.0.0.1:1/callback"],
  serviceClientSecret: secret,
});
const reachable = `http://127.0.0.1:${hidden.port}`;
const behindCompose = await startWhoamiService(
  "worker-oidc-compose-test",
  "a service that fetches the provider's keys at its in-network address",
  {
    issuer: "okr-test",
    issuers: [
      {
        ...localIssuerTrust(hidden.issuer),
        jwksUri: `${reachable}/jwks`,
        roleMap: { "okr-services": "service" },
      },
    ],
  },
);
afterAll(async () => {
  await app.close();
  await behindCompose.app.close();
  await idp.close();
  await hidden.close();
});

const credentials = { issuer: idp.issuer, clientId: SERVICE_CLIENT_ID, clientSecret: secret };

describe("the worker's tokens by client credentials", () => {
  it("are fetched once per tenant, shared by concurrent calls, and renewed across an expiry", async () => {
    const tenantId = randomUUID();
    const caller = serviceCaller({ baseUrl, tokens: clientCredentialsTokens(credentials) });
    const burst = await Promise.all(Array.from({ length: 5 }, () => caller.call(tenantId, "GET", "/whoami")));
    expect(burst.map((r) => r.body)).toEqual(Array(5).fill({ tenantId, roles: ["service"] }));
    expect(new Set(seen).size).toBe(1);
    const first = decodeJwt((seen[0] as string).slice("Bearer ".length));

    await sleep((first.exp as number) * 1000 - Date.now() + 200);
    // The first token has expired: the caller asked for a new one instead of sending it.
    expect((await caller.call(tenantId, "GET", "/whoami")).status).toBe(200);
    expect(new Set(seen).size).toBe(2);

    const other = randomUUID();
    expect((await caller.call(other, "GET", "/whoami")).body).toEqual({
      tenantId: other,
      roles: ["service"],
    });
  });

  it("are the only tokens a service without the HS256 secret accepts", async () => {
    const forged = await signToken(
      { secret: "anyone-can-pick-a-secret", issuer: "okr-test" },
      { tenantId: randomUUID(), subject: "cycle-worker", roles: ["service"] },
    );
    const response = await app.inject({
      method: "GET",
      url: "/whoami",
      headers: { authorization: `Bearer ${forged}` },
    });
    expect(response.statusCode).toBe(401);
    expect(response.json().detail).toMatch(/issuer \(iss\) is not trusted/);
  });

  it("fails the call with the provider's reason when the client secret is wrong", async () => {
    const caller = serviceCaller({
      baseUrl,
      tokens: clientCredentialsTokens({ ...credentials, clientSecret: "not-the-secret" }),
    });
    const before = seen.length;
    await expect(caller.call(randomUUID(), "GET", "/whoami")).rejects.toThrow(/token endpoint answered 401/);
    expect(seen).toHaveLength(before);
  });
});

describe("the worker's tokens from a provider it reaches under another address than its issuer", () => {
  const hiddenCredentials = { issuer: hidden.issuer, clientId: SERVICE_CLIENT_ID, clientSecret: secret };

  it("come from AUTH_OIDC_TOKEN_ENDPOINT without discovery, and name the issuer services trust", async () => {
    const tenantId = randomUUID();
    const caller = serviceCaller({
      baseUrl: behindCompose.baseUrl,
      tokens: clientCredentialsTokens({ ...hiddenCredentials, tokenEndpoint: `${reachable}/token` }),
    });
    expect((await caller.call(tenantId, "GET", "/whoami")).body).toEqual({ tenantId, roles: ["service"] });
    const token = decodeJwt((behindCompose.seen.at(-1) as string).slice("Bearer ".length));
    expect(token.iss).toBe("http://identity.invalid:3180");
  });

  it("cannot be had by discovery at the issuer's address, which is why the override exists", async () => {
    const discovered = clientCredentialsTokens({ ...hiddenCredentials, timeoutMs: 3_000 });
    await expect(discovered.tokenFor(randomUUID())).rejects.toThrow();
  });
});
