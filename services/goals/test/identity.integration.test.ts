import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  DEFAULT_WEB_REDIRECT_URI,
  localIssuerTrust,
  requestServiceToken,
  signInWithPassword,
  startIdentityProvider,
} from "@okr/identity-provider";
import { signToken } from "@okr/service-kit";
import { startTestService } from "@okr/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { goalsService } from "../src/service.ts";
import type { GoalsTestService } from "./support.ts";

// The goals service configured as `npm start` configures it: trusting the local identity provider
// (a real one, on a private port), with no shared HS256 secret.
const tenantId = randomUUID();
const serviceSecret = randomBytes(16).toString("hex");
const dataDir = mkdtempSync(join(tmpdir(), "okr-idp-goals-"));
const accounts = [
  {
    sub: "ada",
    email: "ada@acme.example",
    name: "Ada",
    password: "ada-pw",
    tenant: tenantId,
    groups: ["okr-admins"],
  },
  {
    sub: "max",
    email: "max@acme.example",
    name: "Max",
    password: "max-pw",
    tenant: tenantId,
    groups: ["okr-members"],
  },
];
const idp = await startIdentityProvider({
  port: 0,
  dataDir,
  accounts,
  webRedirectUris: [DEFAULT_WEB_REDIRECT_URI],
  serviceClientSecret: serviceSecret,
});
let service: GoalsTestService;

beforeAll(async () => {
  service = await startTestService(goalsService, {
    AUTH_ISSUERS: JSON.stringify([localIssuerTrust(idp.issuer)]),
    AUTH_JWT_SECRET: "",
  });
});
afterAll(async () => {
  await service?.stop();
  await idp.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const signIn = async (email: string, password: string) =>
  (await signInWithPassword({ issuer: idp.issuer, redirectUri: DEFAULT_WEB_REDIRECT_URI, email, password }))
    .accessToken as string;
const call = (token: string, method: "GET" | "PUT", payload?: object) =>
  service.app.inject({
    method,
    url: "/organization",
    headers: { authorization: `Bearer ${token}` },
    ...(payload ? { payload } : {}),
  });

describe("the goals service signed in to through the identity provider", () => {
  it("lets the admin who signed in create the organization, a member read but not change it", async () => {
    const ada = await signIn("ada@acme.example", "ada-pw");
    const created = await call(ada, "PUT", { name: "Acme", mission: "Ship weekly." });
    expect(created.statusCode).toBe(201);

    const max = await signIn("max@acme.example", "max-pw");
    expect((await call(max, "GET")).json()).toMatchObject({ name: "Acme", mission: "Ship weekly." });
    expect((await call(max, "PUT", { name: "Max's company", mission: "Mine." })).statusCode).toBe(403);
    expect((await call(ada, "GET")).json()).toMatchObject({ name: "Acme" });
  });

  it("accepts a service token by client credentials for the tenant it names", async () => {
    const token = await requestServiceToken({ issuer: idp.issuer, clientSecret: serviceSecret, tenantId });
    expect((await call(token, "GET")).json()).toMatchObject({ name: "Acme" });
  });

  it("refuses HS256 tokens: without the shared secret nobody can mint one", async () => {
    const forged = await signToken(
      { secret: "integration-test-secret-0123456789", issuer: "okr-platform" },
      { tenantId, subject: "ada", roles: ["admin"] },
    );
    const response = await call(forged, "PUT", { name: "Forged", mission: "x" });
    expect(response.statusCode).toBe(401);
    expect(response.headers["www-authenticate"]).toMatch(/error="invalid_token"/);
    expect((await call(await signIn("ada@acme.example", "ada-pw"), "GET")).json()).toMatchObject({
      name: "Acme",
    });
  });
});
