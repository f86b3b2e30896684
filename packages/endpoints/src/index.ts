export {
  cacheDir,
  componentsGivenByEnvironment,
  databasesLeftOut,
  type InfraComponent,
  mergeEndpoints,
  nativeEndpoints,
  type PlatformEndpoints,
  SERVICE_DATABASES,
  testEndpoints,
} from "./endpoints.ts";
export { silenceKafkajsNegativeTimeoutWarning } from "./kafkajs-warnings.ts";
export { isScratchTopic, uniqueName } from "./names.ts";
export {
  type KafkaInstance,
  NATIVE_IDENTITY,
  NATIVE_KAFKA,
  NATIVE_MAILPIT,
  NATIVE_POSTGRES,
  NATIVE_SERVICE_PORTS,
  NATIVE_TEMPORAL,
  nativeIdentityIssuer,
  nativeKafkaBrokers,
  nativePostgresUrl,
  nativeTemporalAddress,
} from "./native.ts";
export { retryWhileUnavailable, waitFor } from "./wait.ts";
