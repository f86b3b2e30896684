import { LogLevel, loadConfigOrExit, Port, PositiveInteger, ServiceConfigSchema } from "@okr/config";
import { type Static, Type } from "typebox";

const HttpUrl = (description: string, fallback?: string) =>
  Type.String({
    pattern: "^https?://[^\\s]+$",
    description,
    ...(fallback === undefined ? {} : { default: fallback }),
  });

/**
 * The web app's environment. It has no database or broker of its own, so it does not extend the
 * services' ServiceConfigSchema; the variables it shares with them read and fail the same way.
 */
export const WebConfigSchema = Type.Object({
  NODE_ENV: ServiceConfigSchema.properties.NODE_ENV,
  HOST: Type.String({ default: "127.0.0.1" }),
  WEB_PORT: Port(5173),
  LOG_LEVEL: LogLevel(),
  SHUTDOWN_GRACE_MS: ServiceConfigSchema.properties.SHUTDOWN_GRACE_MS,
  GOALS_URL: HttpUrl("the goals service's base URL, e.g. http://127.0.0.1:3101", "http://127.0.0.1:3101"),
  VALUE_STREAM_URL: HttpUrl(
    "the value-stream service's base URL (/api/value-stream/*)",
    "http://127.0.0.1:3102",
  ),
  SCORING_URL: HttpUrl("the scoring service's base URL (/api/scoring/*)", "http://127.0.0.1:3103"),
  OIDC_ISSUER: HttpUrl("the OpenID provider's issuer URL", "http://127.0.0.1:3180"),
  OIDC_BACKCHANNEL_URL: Type.Optional(
    HttpUrl(
      "where this process reaches the provider when the issuer URL is the browsers' only (a container network, e.g. http://identity:3180); browsers still go to the issuer",
    ),
  ),
  OIDC_CLIENT_ID: Type.String({ minLength: 1, default: "okr-web" }),
  OIDC_REDIRECT_URI: Type.Optional(
    HttpUrl("this app's /auth/callback as registered at the provider (default http://127.0.0.1:<WEB_PORT>)"),
  ),
  OIDC_RESOURCE: Type.String({
    minLength: 1,
    default: "urn:okr:api",
    description: "the resource indicator (RFC 8707) whose access tokens the platform's APIs accept",
  }),
  OIDC_SCOPES: Type.String({ minLength: 1, default: "openid email profile api" }),
  WEB_SESSION_IDLE_MINUTES: PositiveInteger(8 * 60),
  KAFKA_BROKERS: Type.Optional(
    Type.String({
      minLength: 1,
      description:
        "the broker list live updates are read from (host:port,...); without it pages do not update live",
    }),
  ),
  WEB_LIVE_GROUP: Type.Optional(
    Type.String({
      minLength: 1,
      description: "this instance's own consumer group for live updates (default web-live-<host>-<port>)",
    }),
  ),
  TEMPORAL_UI_URL: HttpUrl(
    "the Temporal UI, where the cycle run page links to the run's workflows",
    "http://127.0.0.1:8233",
  ),
  TEMPORAL_NAMESPACE: Type.String({ minLength: 1, default: "default" }),
  WEB_STATIC_DIR: Type.Optional(Type.String({ minLength: 1, description: "where the built app is" })),
});

export type WebConfig = Static<typeof WebConfigSchema>;

/** Where the browser reaches this app: the origin of the redirect URI, the only origin its cookies work on. */
export const redirectUriOf = (config: WebConfig) =>
  config.OIDC_REDIRECT_URI ?? `http://127.0.0.1:${config.WEB_PORT}/auth/callback`;
export const publicOriginOf = (config: WebConfig) => new URL(redirectUriOf(config)).origin;

/** The Temporal UI's page of the namespace the cycle workflows run in. */
export const temporalUiOf = (config: WebConfig) =>
  `${config.TEMPORAL_UI_URL.replace(/\/+$/, "")}/namespaces/${encodeURIComponent(config.TEMPORAL_NAMESPACE)}`;

export const loadWebConfigOrExit = (env: NodeJS.ProcessEnv = process.env) =>
  loadConfigOrExit(WebConfigSchema, env);
