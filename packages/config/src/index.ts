export { ClientCredentialsConfig, clientCredentialsProblems } from "./client-credentials.ts";
export { HostPort, HttpUrl, KafkaBrokers, LogLevel, Port, PositiveInteger, PostgresUrl } from "./fields.ts";
export { ConfigError, type ConfigProblem, loadConfig, loadConfigOrExit } from "./load.ts";
export {
  DEFAULT_RATE_LIMIT_PER_MINUTE,
  DEVELOPMENT_JWT_SECRET,
  rejectDevelopmentSecretInProduction,
  type ServiceConfig,
  ServiceConfigSchema,
} from "./service-config.ts";
export {
  type DocsSignIn,
  ISSUER_ALGORITHMS,
  isConfigProblems,
  MAX_CLOCK_TOLERANCE_SECONDS,
  parseTrustedIssuers,
  type TrustedIssuer,
  TrustedIssuerSchema,
  trustedIssuerProblems,
} from "./trusted-issuers.ts";
