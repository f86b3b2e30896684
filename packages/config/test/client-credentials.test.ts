import { Type } from "typebox";
import { describe, expect, it } from "vitest";
import { ClientCredentialsConfig, ConfigError, clientCredentialsProblems, loadConfig } from "../src/index.ts";

const Schema = Type.Object(ClientCredentialsConfig);
const load = (env: Record<string, string>) => loadConfig(Schema, env, clientCredentialsProblems);
const problems = (env: Record<string, string>) => {
  try {
    load(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((problem) => problem.variable);
    throw error;
  }
};
const complete = {
  AUTH_OIDC_ISSUER: "http://127.0.0.1:3180",
  AUTH_OIDC_CLIENT_ID: "okr-services",
  AUTH_OIDC_CLIENT_SECRET: "a-client-secret",
};

describe("client credentials variables", () => {
  it("are optional, and take a token endpoint beside the issuer", () => {
    expect(load({})).toEqual({});
    const endpoint = { ...complete, AUTH_OIDC_TOKEN_ENDPOINT: "http://identity:3180/token" };
    expect(load(endpoint)).toEqual(endpoint);
  });

  it("need the client id and secret with an issuer, and an issuer with a token endpoint", () => {
    expect(problems({ AUTH_OIDC_ISSUER: complete.AUTH_OIDC_ISSUER })).toEqual([
      "AUTH_OIDC_CLIENT_ID",
      "AUTH_OIDC_CLIENT_SECRET",
    ]);
    expect(problems({ AUTH_OIDC_TOKEN_ENDPOINT: "http://identity:3180/token" })).toEqual([
      "AUTH_OIDC_TOKEN_ENDPOINT",
    ]);
    expect(problems({ ...complete, AUTH_OIDC_TOKEN_ENDPOINT: "identity:3180/token" })).toEqual([
      "AUTH_OIDC_TOKEN_ENDPOINT",
    ]);
  });
});
