import { NATIVE_TEMPORAL, nativeKafkaBrokers, nativePostgresUrl, nativeTemporalAddress } from "./native.ts";

/** Every service that owns a database, with the environment variable naming its URL. */
export const SERVICE_DATABASES = [
  { service: "goals", env: "GOALS_DATABASE_URL", database: "goals" },
  { service: "value-stream", env: "VALUE_STREAM_DATABASE_URL", database: "value_stream" },
  { service: "scoring", env: "SCORING_DATABASE_URL", database: "scoring" },
  { service: "notifier", env: "NOTIFIER_DATABASE_URL", database: "notifier" },
] as const;

export type InfraComponent = "postgres" | "kafka" | "temporal";

/** The endpoints every service, test and benchmark reads, under the same names on every path. */
export interface PlatformEndpoints {
  GOALS_DATABASE_URL: string;
  VALUE_STREAM_DATABASE_URL: string;
  SCORING_DATABASE_URL: string;
  NOTIFIER_DATABASE_URL: string;
  KAFKA_BROKERS: string;
  TEMPORAL_ADDRESS: string;
  TEMPORAL_NAMESPACE: string;
}

/**
 * Which components the environment already names: those are used as given. Postgres is given by
 * GOALS_DATABASE_URL; a service database the environment does not name lives on that server under its
 * own name (see mergeEndpoints), so a service added later needs no new variable where the rest are set.
 */
export function componentsGivenByEnvironment(env: NodeJS.ProcessEnv): Set<InfraComponent> {
  const given = new Set<InfraComponent>();
  if (env.GOALS_DATABASE_URL) given.add("postgres");
  if (env.KAFKA_BROKERS) given.add("kafka");
  if (env.TEMPORAL_ADDRESS) given.add("temporal");
  return given;
}

export function nativeEndpoints(): PlatformEndpoints {
  return {
    GOALS_DATABASE_URL: nativePostgresUrl("goals"),
    VALUE_STREAM_DATABASE_URL: nativePostgresUrl("value_stream"),
    SCORING_DATABASE_URL: nativePostgresUrl("scoring"),
    NOTIFIER_DATABASE_URL: nativePostgresUrl("notifier"),
    KAFKA_BROKERS: nativeKafkaBrokers,
    TEMPORAL_ADDRESS: nativeTemporalAddress,
    TEMPORAL_NAMESPACE: NATIVE_TEMPORAL.namespace,
  };
}

/**
 * Environment values win over the defaults of whichever path brought the rest up; a service database
 * the environment leaves out, where it names the goals database, is on the goals database's server.
 */
export function mergeEndpoints(defaults: PlatformEndpoints, env: NodeJS.ProcessEnv): PlatformEndpoints {
  const merged = { ...defaults };
  for (const key of Object.keys(defaults) as (keyof PlatformEndpoints)[]) {
    const value = env[key];
    if (value) merged[key] = value;
  }
  const server = env.GOALS_DATABASE_URL;
  for (const { env: name, database } of databasesLeftOut(env)) {
    if (!server) continue;
    const url = new URL(server);
    url.pathname = `/${database}`;
    merged[name] = url.toString();
  }
  return merged;
}

/** The service databases whose URL the environment does not give (mergeEndpoints derives them). */
export function databasesLeftOut(env: NodeJS.ProcessEnv) {
  return SERVICE_DATABASES.filter(({ env: name }) => !env[name]);
}

/**
 * The infrastructure integration tests talk to: what `npm test` exported (environment, testcontainers
 * or native), else the native endpoints that `npm run infra:up` brings up. Never a fake.
 */
export function testEndpoints(): PlatformEndpoints {
  return mergeEndpoints(nativeEndpoints(), process.env);
}

/**
 * The one cache directory for everything big (Node, Kafka jars, Temporal CLI, Postgres data, logs):
 * OKR_CACHE_DIR, else /var/cache/okr-platform as root (so the unprivileged `postgres` user can reach its
 * data directory), else under the user's cache directory. infra/bin/okr computes the same default in
 * shell before Node runs (infra/test/cache-dir.test.ts keeps the two equal).
 */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.OKR_CACHE_DIR) return env.OKR_CACHE_DIR;
  if (process.getuid?.() === 0) return "/var/cache/okr-platform";
  return `${env.XDG_CACHE_HOME ?? `${env.HOME}/.cache`}/okr-platform`;
}
