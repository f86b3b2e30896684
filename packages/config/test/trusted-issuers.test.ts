import { describe, expect, it } from "vitest";
import { loadConfig, ServiceConfigSchema, trustedIssuerProblems } from "../src/index.ts";
import { problemsOf, validServiceEnv } from "./support.ts";

const load = (AUTH_ISSUERS?: string) =>
  loadConfig(
    ServiceConfigSchema,
    { ...validServiceEnv, ...(AUTH_ISSUERS ? { AUTH_ISSUERS } : {}) },
    trustedIssuerProblems,
  );

describe("AUTH_ISSUERS", () => {
  it("is optional, and accepts issuers with their claim mapping", () => {
    expect(load().AUTH_ISSUERS).toBeUndefined();
    const issuers = [
      {
        issuer: "https://login.example.com/tenant-1/v2.0",
        audience: "okr-api",
        rolesClaim: "roles",
        roleMap: { "OKR.Admin": "admin", "OKR.Member": "member" },
        clockToleranceSeconds: 60,
      },
      {
        issuer: "https://okta.example.com",
        audience: "okr-api",
        tenantId: "5eed0000-0000-4000-8000-000000000001",
        docs: {
          clientId: "okr-docs",
          authorizationEndpoint: "https://okta.example.com/oauth2/default/v1/authorize",
          tokenEndpoint: "https://okta.example.com/oauth2/default/v1/token",
          scopes: ["openid", "email", "okr.api"],
          authorizationParams: { audience: "https://okr.example.com/api" },
        },
      },
    ];
    expect(JSON.parse(load(JSON.stringify(issuers)).AUTH_ISSUERS as string)).toEqual(issuers);
  });

  it("makes the HS256 secret optional once an issuer is named, and required otherwise", () => {
    const issuers = JSON.stringify([{ issuer: "https://login.example.com", audience: "okr-api" }]);
    const withoutSecret = { ...validServiceEnv, AUTH_JWT_SECRET: undefined };
    expect(
      loadConfig(ServiceConfigSchema, { ...withoutSecret, AUTH_ISSUERS: issuers }, trustedIssuerProblems)
        .AUTH_JWT_SECRET,
    ).toBeUndefined();
    expect(problemsOf(() => loadConfig(ServiceConfigSchema, withoutSecret, trustedIssuerProblems))).toEqual([
      {
        variable: "AUTH_JWT_SECRET",
        message: "is required unless AUTH_ISSUERS names an OpenID Connect issuer",
      },
    ]);
  });

  it.each([
    ["not JSON", "{", /JSON array/],
    ["an issuer without an audience", '[{"issuer":"https://a.example"}]', /audience/],
    [
      "an HMAC algorithm",
      '[{"issuer":"https://a.example","audience":"x","algorithms":["HS256"]}]',
      /algorithms/,
    ],
    ["alg none", '[{"issuer":"https://a.example","audience":"x","algorithms":["none"]}]', /algorithms/],
    [
      "a role that does not exist",
      '[{"issuer":"https://a.example","audience":"x","roleMap":{"g":"root"}}]',
      /roleMap/,
    ],
    [
      "an unbounded clock skew",
      '[{"issuer":"https://a.example","audience":"x","clockToleranceSeconds":3600}]',
      /clockTolerance/,
    ],
    [
      "a /docs sign-in without its token endpoint",
      '[{"issuer":"https://a.example","audience":"x","docs":{"clientId":"c","authorizationEndpoint":"https://a.example/auth"}}]',
      /docs/,
    ],
    [
      "a /docs scope with a space in it",
      '[{"issuer":"https://a.example","audience":"x","docs":{"clientId":"c","authorizationEndpoint":"https://a.example/auth","tokenEndpoint":"https://a.example/token","scopes":["openid api"]}}]',
      /docs\/scopes/,
    ],
    [
      "an issuer listed twice",
      '[{"issuer":"https://a.example","audience":"x"},{"issuer":"https://a.example","audience":"y"}]',
      /twice/,
    ],
  ])("refuses %s, naming the variable", (_case, value, message) => {
    const [problem] = problemsOf(() => load(value));
    expect(problem?.variable).toBe("AUTH_ISSUERS");
    expect(problem?.message).toMatch(message);
  });
});
