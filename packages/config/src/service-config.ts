import { type Static, Type } from "typebox";
import { HostPort, KafkaBrokers, LogLevel, Port, PositiveInteger, PostgresUrl } from "./fields.ts";
import type { ConfigProblem } from "./load.ts";

/** Requests per minute one caller (tenant and subject) may make to one service replica. */
export const DEFAULT_RATE_LIMIT_PER_MINUTE = 6000;

/** Variables common to every HTTP service; a service extends this with its own. */
export const ServiceConfigSchema = Type.Object({
  NODE_ENV: Type.Union([Type.Literal("development"), Type.Literal("test"), Type.Literal("production")], {
    default: "development",
    description: "development, test or production",
  }),
  HOST: Type.String({ default: "0.0.0.0" }),
  PORT: Port(3000),
  LOG_LEVEL: LogLevel(),
  DATABASE_URL: PostgresUrl(),
  DATABASE_POOL_MAX: PositiveInteger(10),
  KAFKA_BROKERS: KafkaBrokers(),
  KAFKA_CLIENT_ID: Type.Optional(Type.String({ minLength: 1 })),
  KAFKA_CONSUMER_GROUP: Type.Optional(
    Type.String({
      minLength: 1,
      description: "consumer group id prefix of the service's consumers (default: the service name)",
    }),
  ),
  TEMPORAL_ADDRESS: HostPort(),
  TEMPORAL_NAMESPACE: Type.String({ default: "default", minLength: 1 }),
  AUTH_JWT_SECRET: Type.Optional(
    Type.String({
      minLength: 16,
      description: "an HS256 secret of at least 16 characters (optional when AUTH_ISSUERS names an issuer)",
    }),
  ),
  AUTH_JWT_ISSUER: Type.String({ default: "okr-platform", minLength: 1 }),
  AUTH_ISSUERS: Type.Optional(
    Type.String({
      description:
        'a JSON array of OpenID Connect issuers, e.g. [{"issuer":"https://login.example.com","audience":"okr-api"}]',
    }),
  ),
  AUTH_MAX_TOKEN_LIFETIME_SECONDS: Type.Integer({
    minimum: 60,
    default: 24 * 60 * 60,
    description: "the longest a bearer token may be valid (exp - iat), in seconds, at least 60",
  }),
  SHUTDOWN_GRACE_MS: PositiveInteger(10_000),
  CORS_ALLOWED_ORIGINS: Type.String({
    default: "",
    pattern: "^(https?://[^\\s,/]+(,https?://[^\\s,/]+)*)?$",
    description: "comma-separated origins such as https://okr.example.com (scheme, host and port; no path)",
  }),
  RATE_LIMIT_PER_MINUTE: Type.Integer({
    minimum: 0,
    default: DEFAULT_RATE_LIMIT_PER_MINUTE,
    description: "requests per minute per caller, an integer >= 0 (0 turns the limit off)",
  }),
});

export type ServiceConfig = Static<typeof ServiceConfigSchema>;

export const DEVELOPMENT_JWT_SECRET = "okr-platform-development-secret";

/** Production must not run on the development secret that ships in the repository. */
export function rejectDevelopmentSecretInProduction(config: ServiceConfig): ConfigProblem[] {
  return config.NODE_ENV === "production" && config.AUTH_JWT_SECRET === DEVELOPMENT_JWT_SECRET
    ? [
        {
          variable: "AUTH_JWT_SECRET",
          message: "the development secret may not be used with NODE_ENV=production",
        },
      ]
    : [];
}
