import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Type } from "typebox";
import { describe, expect, it } from "vitest";
import {
  DEFAULT_RATE_LIMIT_PER_MINUTE,
  DEVELOPMENT_JWT_SECRET,
  loadConfig,
  rejectDevelopmentSecretInProduction,
  ServiceConfigSchema,
} from "../src/index.ts";
import { problemsOf, validServiceEnv } from "./support.ts";

describe("loadConfig", () => {
  it("converts strings to the schema's types and applies defaults", () => {
    const config = loadConfig(ServiceConfigSchema, {
      ...validServiceEnv,
      PORT: "3101",
      DATABASE_POOL_MAX: "25",
    });
    expect(config.PORT).toBe(3101);
    expect(config.DATABASE_POOL_MAX).toBe(25);
    expect(config.LOG_LEVEL).toBe("info");
    expect(config.NODE_ENV).toBe("development");
    expect(config.TEMPORAL_NAMESPACE).toBe("default");
    expect(config.AUTH_MAX_TOKEN_LIFETIME_SECONDS).toBe(86_400);
    expect(
      loadConfig(ServiceConfigSchema, { ...validServiceEnv, AUTH_MAX_TOKEN_LIFETIME_SECONDS: "3600" })
        .AUTH_MAX_TOKEN_LIFETIME_SECONDS,
    ).toBe(3600);
  });

  it("names every bad or missing variable at once", () => {
    const problems = problemsOf(() =>
      loadConfig(ServiceConfigSchema, {
        ...validServiceEnv,
        PORT: "70000",
        KAFKA_BROKERS: "nohost",
        DATABASE_URL: undefined,
        AUTH_MAX_TOKEN_LIFETIME_SECONDS: "0",
      }),
    );
    expect(problems.map((p) => p.variable).sort()).toEqual([
      "AUTH_MAX_TOKEN_LIFETIME_SECONDS",
      "DATABASE_URL",
      "KAFKA_BROKERS",
      "PORT",
    ]);
    expect(problems.find((p) => p.variable === "PORT")?.message).toMatch(/65535.*got "70000"/);
    expect(problems.find((p) => p.variable === "KAFKA_BROKERS")?.message).toMatch(/host:port/);
  });

  it("treats an empty string as unset", () => {
    const problems = problemsOf(() =>
      loadConfig(ServiceConfigSchema, { ...validServiceEnv, DATABASE_URL: "" }),
    );
    expect(problems).toEqual([expect.objectContaining({ variable: "DATABASE_URL" })]);
  });

  it("never prints secrets or URL passwords", () => {
    const schema = Type.Object({
      AUTH_JWT_SECRET: Type.String({ minLength: 40 }),
      DATABASE_URL: Type.String({ pattern: "^mysql:" }),
    });
    const error = (() => {
      try {
        loadConfig(schema, {
          AUTH_JWT_SECRET: "short-but-secret",
          DATABASE_URL: "postgresql://okr:hunter2@db/x",
        });
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error?.message).not.toContain("short-but-secret");
    expect(error?.message).not.toContain("hunter2");
    expect(error?.message).toContain("okr:***@db");
  });

  it("reads CORS origins and the rate limit, none and the default when unset, 0 to turn the limit off", () => {
    const unset = loadConfig(ServiceConfigSchema, validServiceEnv);
    expect(unset.CORS_ALLOWED_ORIGINS).toBe("");
    expect(unset.RATE_LIMIT_PER_MINUTE).toBe(DEFAULT_RATE_LIMIT_PER_MINUTE);
    const set = loadConfig(ServiceConfigSchema, {
      ...validServiceEnv,
      CORS_ALLOWED_ORIGINS: "https://okr.example.com,http://localhost:5173",
      RATE_LIMIT_PER_MINUTE: "0",
    });
    expect(set.CORS_ALLOWED_ORIGINS).toBe("https://okr.example.com,http://localhost:5173");
    expect(set.RATE_LIMIT_PER_MINUTE).toBe(0);
  });

  it.each([
    ["a trailing slash", "https://okr.example.com/"],
    ["a path", "https://okr.example.com/app"],
    ["a wildcard", "*"],
    ["no scheme", "okr.example.com"],
    ["a space after the comma", "https://a.example, https://b.example"],
  ])("refuses a CORS origin with %s", (_case, origin) => {
    const problems = problemsOf(() =>
      loadConfig(ServiceConfigSchema, { ...validServiceEnv, CORS_ALLOWED_ORIGINS: origin }),
    );
    expect(problems).toEqual([
      expect.objectContaining({
        variable: "CORS_ALLOWED_ORIGINS",
        message: expect.stringMatching(/no path/),
      }),
    ]);
  });

  it("refuses a negative or non-numeric rate limit", () => {
    for (const value of ["-1", "lots"]) {
      const problems = problemsOf(() =>
        loadConfig(ServiceConfigSchema, { ...validServiceEnv, RATE_LIMIT_PER_MINUTE: value }),
      );
      expect(problems).toEqual([expect.objectContaining({ variable: "RATE_LIMIT_PER_MINUTE" })]);
    }
  });

  it("refuses the development JWT secret in production", () => {
    const env = { ...validServiceEnv, NODE_ENV: "production", AUTH_JWT_SECRET: DEVELOPMENT_JWT_SECRET };
    const problems = problemsOf(() =>
      loadConfig(ServiceConfigSchema, env, rejectDevelopmentSecretInProduction),
    );
    expect(problems).toEqual([expect.objectContaining({ variable: "AUTH_JWT_SECRET" })]);
  });
});

describe("loadConfigOrExit", () => {
  it("exits 78 with a message naming the variable, before anything starts", () => {
    const entry = fileURLToPath(new URL("./fixtures/exit-on-bad-config.ts", import.meta.url));
    const result = spawnSync(process.execPath, [entry], {
      env: { ...validServiceEnv, PATH: process.env.PATH, PORT: "not-a-port" },
      encoding: "utf8",
    });
    expect(result.status).toBe(78);
    expect(result.stderr).toContain("PORT");
    expect(result.stdout).not.toContain("started");
  });
});
