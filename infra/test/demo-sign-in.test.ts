import { NATIVE_SERVICE_PORTS } from "@okr/endpoints";
import { localIssuerTrust, signInWithPassword } from "@okr/identity-provider";
import { startTemporaryIdentityProvider } from "@okr/identity-provider/testing";
import { createServiceApp, docsRedirectUri, signToken } from "@okr/service-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localWebRedirectUris } from "../cli/infrastructure.ts";
import { DEMO_PASSWORD, demoAccounts, signInDemoAdmin } from "../demo/accounts.ts";
import { DEMO_TENANT_ID } from "../demo/seed.ts";

// What `npm start` does on the native path: the demo people at a real provider, services trusting only it.
const idp = await startTemporaryIdentityProvider({
  accounts: demoAccounts(),
  webRedirectUris: localWebRedirectUris({}),
  serviceClientSecret: "demo-service-secret",
});
const app = await createServiceApp({
  name: "demo-sign-in-test",
  description: "a service as npm start configures it",
  auth: { issuer: "okr-platform", issuers: [localIssuerTrust(idp.issuer)] },
  logger: false,
  routes: async (routes) => {
    routes.get("/whoami", async (request) => request.principal);
  },
});
beforeAll(() => app.ready());
afterAll(async () => {
  await app.close();
  await idp.close();
});

const whoami = (token: string) =>
  app.inject({ method: "GET", url: "/whoami", headers: { authorization: `Bearer ${token}` } });

describe("npm start's demo sign-in", () => {
  it("gives the seed an admin token for the demo tenant from the provider", async () => {
    const response = await whoami(await signInDemoAdmin(idp.issuer));
    const admin = demoAccounts()[0];
    expect(response.json()).toEqual({
      tenantId: DEMO_TENANT_ID,
      subject: "acme-flow-0",
      roles: ["admin", "leader"],
      // What goals links the sign-in to the seeded person by: their verified email.
      identity: {
        issuer: idp.issuer,
        subject: "acme-flow-0",
        email: admin?.email,
        emailVerified: true,
        name: admin?.name,
      },
    });
  });

  it("lets each service's /docs sign a demo person in, as Swagger UI does", async () => {
    const { docs } = localIssuerTrust(idp.issuer);
    const person = demoAccounts()[3];
    for (const port of Object.values(NATIVE_SERVICE_PORTS)) {
      const origin = `http://127.0.0.1:${port}`;
      const result = await signInWithPassword({
        issuer: idp.issuer,
        clientId: docs.clientId,
        authorizationEndpoint: docs.authorizationEndpoint,
        tokenEndpoint: docs.tokenEndpoint,
        scopes: docs.scopes,
        resource: null,
        origin,
        redirectUri: docsRedirectUri(origin),
        email: person?.email ?? "",
        password: DEMO_PASSWORD,
      });
      expect((await whoami(result.accessToken ?? "")).json()).toMatchObject({ subject: person?.sub });
    }
  });

  it("leaves no shared secret to mint tokens with: an HS256 admin token is refused", async () => {
    const forged = await signToken(
      { secret: "okr-platform-development-secret", issuer: "okr-platform" },
      { tenantId: DEMO_TENANT_ID, subject: "demo-admin", roles: ["admin"] },
    );
    expect((await whoami(forged)).statusCode).toBe(401);
  });
});
