import {
  ClientCredentialsConfig,
  type ConfigProblem,
  clientCredentialsProblems,
  DEVELOPMENT_JWT_SECRET,
  HttpUrl,
  ServiceConfigSchema,
} from "@okr/config";
import { type Static, Type } from "typebox";

const common = ServiceConfigSchema.properties;

/** The worker's variables: the shared ones it needs (no database, no HTTP port) plus the services it calls. */
export const CycleWorkerConfigSchema = Type.Object({
  NODE_ENV: common.NODE_ENV,
  LOG_LEVEL: common.LOG_LEVEL,
  KAFKA_BROKERS: common.KAFKA_BROKERS,
  KAFKA_CLIENT_ID: common.KAFKA_CLIENT_ID,
  TEMPORAL_ADDRESS: common.TEMPORAL_ADDRESS,
  TEMPORAL_NAMESPACE: common.TEMPORAL_NAMESPACE,
  TEMPORAL_TASK_QUEUE: Type.String({ default: "okr-cycles", minLength: 1 }),
  AUTH_JWT_SECRET: common.AUTH_JWT_SECRET,
  AUTH_JWT_ISSUER: common.AUTH_JWT_ISSUER,
  AUTH_MAX_TOKEN_LIFETIME_SECONDS: common.AUTH_MAX_TOKEN_LIFETIME_SECONDS,
  /** With an issuer, a client id and its secret the worker gets its tokens by client credentials. */
  ...ClientCredentialsConfig,
  SHUTDOWN_GRACE_MS: common.SHUTDOWN_GRACE_MS,
  GOALS_URL: HttpUrl(),
  SCORING_URL: HttpUrl(),
  /** Path of the prebuilt workflow bundle (`npm run build -w @okr/cycle-worker`); default dist/workflow-bundle.js. */
  WORKFLOW_BUNDLE_PATH: Type.Optional(Type.String({ minLength: 1 })),
});

export type CycleWorkerConfig = Static<typeof CycleWorkerConfigSchema>;

/**
 * Production must not sign its service tokens with the development secret that ships in the repository;
 * an issuer needs the worker's client id and secret.
 */
export const refineCycleWorkerConfig = (config: CycleWorkerConfig): ConfigProblem[] => [
  ...(config.NODE_ENV === "production" &&
  !config.AUTH_OIDC_ISSUER &&
  config.AUTH_JWT_SECRET === DEVELOPMENT_JWT_SECRET
    ? [
        {
          variable: "AUTH_JWT_SECRET",
          message: "the development secret may not be used with NODE_ENV=production",
        },
      ]
    : []),
  ...clientCredentialsProblems(config),
  ...(config.AUTH_OIDC_ISSUER || config.AUTH_JWT_SECRET
    ? []
    : [{ variable: "AUTH_JWT_SECRET", message: "is required unless AUTH_OIDC_ISSUER is set" }]),
];
