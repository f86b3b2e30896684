import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import {
  isConfigProblems,
  loadConfigOrExit,
  parseTrustedIssuers,
  rejectDevelopmentSecretInProduction,
  type ServiceConfig,
  ServiceConfigSchema,
  type TrustedIssuer,
  trustedIssuerProblems,
} from "@okr/config";
import { applyMigrations, createPool, isDatabaseUnavailable } from "@okr/database";
import { type EventDefinition, EventRegistry } from "@okr/events";
import {
  createKafkaBus,
  type MessageBus,
  OutboxRelay,
  type PgTransaction,
  pgTransaction,
  retryUntil,
  seenWithin,
} from "@okr/messaging";
import { startTelemetry } from "@okr/telemetry";
import type { FastifyInstance } from "fastify";
import type pg from "pg";
import type { TObject } from "typebox";
import { createServiceApp, type ReadinessChecks } from "./app.ts";
import type { RouteFactory } from "./resource-routes.ts";
import { runService } from "./run.ts";

/** What a service's code is given: its configuration, database, message bus and logger. */
export interface ServiceRuntime<Db, Config extends ServiceConfig = ServiceConfig> {
  name: string;
  config: Config;
  pool: pg.Pool;
  db: Db;
  bus: MessageBus;
  /** Group id of the service's Kafka consumers: replicas share it; tests give each instance its own. */
  consumerGroup: string;
  log: (level: "info" | "warn" | "error", message: string) => void;
}

/** Background work beside the HTTP server (consumers, schedulers): started after boot, stopped on shutdown. */
export interface BackgroundWork {
  start(): Promise<void> | void;
  stop(): Promise<void>;
}

export interface ServiceParts {
  app: FastifyInstance;
  background: BackgroundWork[];
}

export interface ServiceDefinition<Db, Config extends ServiceConfig> {
  name: string;
  /** The service's own variables on top of ServiceConfigSchema (omit for none). */
  configSchema?: TObject;
  migrationsDir: string;
  createDb: (pool: pg.Pool) => Db;
  /** Closes what `createDb` opened beyond the pool (a Prisma client); omit when the Db is the pool alone. */
  disconnectDb?: (db: Db) => Promise<void>;
  build: (runtime: ServiceRuntime<Db, Config>) => Promise<ServiceParts>;
}

/** AUTH_ISSUERS, already validated when the config was loaded (see runServiceProcess). */
function trustedIssuersOf(config: ServiceConfig): TrustedIssuer[] {
  const parsed = parseTrustedIssuers(config.AUTH_ISSUERS);
  if (isConfigProblems(parsed)) throw new Error(parsed.map((p) => `${p.variable}: ${p.message}`).join("; "));
  return parsed;
}

/**
 * The service's HTTP app wired from its runtime: JWT settings, log level, CORS origins and rate limit from
 * its config, a database readiness check (plus any others), Idempotency-Key answers kept in its database,
 * and its routes: one plugin, or route factories registered in order, each given the runtime.
 */
export function createRuntimeApp<Runtime extends ServiceRuntime<unknown>>(
  runtime: Runtime,
  options: {
    description: string;
    routes: FastifyPluginAsyncTypebox | readonly RouteFactory<Runtime>[];
    readiness?: ReadinessChecks;
  },
) {
  const { routes } = options;
  return createServiceApp({
    name: runtime.name,
    description: options.description,
    auth: {
      secret: runtime.config.AUTH_JWT_SECRET,
      issuer: runtime.config.AUTH_JWT_ISSUER,
      issuers: trustedIssuersOf(runtime.config),
      maxTokenLifetimeSeconds: runtime.config.AUTH_MAX_TOKEN_LIFETIME_SECONDS,
    },
    logger: { level: runtime.config.LOG_LEVEL },
    readiness: { database: () => runtime.pool.query("select 1"), ...options.readiness },
    idempotency: { db: runtime.pool },
    security: {
      corsAllowedOrigins: runtime.config.CORS_ALLOWED_ORIGINS.split(",").filter(Boolean),
      rateLimitPerMinute: runtime.config.RATE_LIMIT_PER_MINUTE,
    },
    routes: Array.isArray(routes)
      ? async (app) => {
          for (const factory of routes) await app.register(factory(runtime));
        }
      : (routes as FastifyPluginAsyncTypebox),
  });
}

/**
 * What a Kafka consumer of the service takes from its runtime: the bus, the log, a pool transaction for
 * each unit of work, and a registry of the event types it reads (`reads`).
 */
export function runtimeConsumer<Db>(
  runtime: ServiceRuntime<Db>,
  groupId: string,
  reads: readonly Pick<EventDefinition, "type">[],
) {
  return {
    bus: runtime.bus,
    groupId,
    // Each contract's payload type narrows its key functions, so a list of them is no EventDefinition[].
    registry: new EventRegistry(reads as EventDefinition[]),
    transaction: <T>(work: (tx: PgTransaction) => Promise<T>) => pgTransaction(runtime.pool, work),
    log: runtime.log,
  };
}

/**
 * The one process entry point of every service: validated config (exit 78 on a bad value, before
 * anything starts), telemetry, pool, HTTP, then migrations, outbox relay and background consumers, and a
 * graceful shutdown that stops them in reverse order. A database or broker that is not reachable yet
 * (a fresh machine, a restart) is waited for rather than fatal: until the migrations are applied the
 * API answers 503 + Retry-After, and /readyz stays 503 until the background work (Kafka consumers) runs.
 */
export async function runServiceProcess<Db, Config extends ServiceConfig = ServiceConfig>(
  definition: ServiceDefinition<Db, Config>,
): Promise<void> {
  const schema = definition.configSchema ?? ServiceConfigSchema;
  const config = loadConfigOrExit(schema, process.env, (c) => [
    ...rejectDevelopmentSecretInProduction(c as ServiceConfig),
    ...trustedIssuerProblems(c as ServiceConfig),
  ]) as Config;
  const telemetry = startTelemetry({ serviceName: definition.name });
  const pool = createPool({
    connectionString: config.DATABASE_URL,
    max: config.DATABASE_POOL_MAX,
    applicationName: definition.name,
  });
  const log: ServiceRuntime<Db, Config>["log"] = (level, message) =>
    process.stderr.write(
      `${JSON.stringify({ level, time: new Date().toISOString(), service: definition.name, msg: message })}\n`,
    );
  const db = definition.createDb(pool);
  const bus = createKafkaBus({
    brokers: config.KAFKA_BROKERS,
    clientId: config.KAFKA_CLIENT_ID ?? definition.name,
    log: (level, message) => log(level, message),
  });
  // The relay reports each failed send with its next delay; while Kafka is down that is one line per
  // retry. The same failure is logged once a minute.
  const relayRepeats = seenWithin(60_000);
  const relay = new OutboxRelay({
    pool,
    createProducer: () => bus.producer(),
    log: (level, message) => {
      if (level === "info" || !relayRepeats(message.replace(/; retrying in \d+ ms$/, "")))
        log(level, message);
    },
  });
  const { app, background } = await definition.build({
    name: definition.name,
    config,
    pool,
    db,
    bus,
    consumerGroup: config.KAFKA_CONSUMER_GROUP ?? definition.name,
    log,
  });

  let starting: string | undefined = "applying database migrations";
  app.holdRequests(starting);
  app.addReadinessCheck("startup", async () => {
    if (starting) throw new Error(starting);
  });
  const stopping = new AbortController();
  let startup: Promise<void> = Promise.resolve();
  await runService({
    app,
    host: config.HOST,
    port: config.PORT,
    graceMs: config.SHUTDOWN_GRACE_MS,
    closers: [
      // A start still waiting for its database or broker gives up; background work stops (a consumer
      // still connecting abandons that), and only then has the start-up sequence surely ended.
      async () => stopping.abort(),
      ...background.map((work) => () => work.stop()),
      () => startup,
      () => relay.stop(),
      async () => definition.disconnectDb?.(db),
      () => pool.end(),
      () => telemetry.shutdown(),
    ],
  });

  startup = (async () => {
    const migrated = await retryUntil(
      () =>
        applyMigrations({
          databaseUrl: config.DATABASE_URL,
          migrationsDir: definition.migrationsDir,
          log: (line) => log("info", line),
        }),
      { what: "database migrations", retriable: isDatabaseUnavailable, signal: stopping.signal, log },
    );
    if (!migrated || stopping.signal.aborted) return;
    app.holdRequests(undefined);
    starting = "starting background work (Kafka consumers)";
    relay.start();
    // Each start waits for its broker on its own; one that is still waiting keeps /readyz at 503.
    await Promise.all(
      background.map((work, index) =>
        // Kafka consumers wait for their broker inside start(); this retries what needs the database.
        retryUntil(async () => work.start(), {
          what: `background work ${index + 1} of ${background.length}`,
          retriable: isDatabaseUnavailable,
          signal: stopping.signal,
          log,
        }),
      ),
    );
    if (!stopping.signal.aborted) {
      starting = undefined;
      log("info", "ready: migrations applied, background work running");
    }
  })().catch((error: unknown) => {
    // An error waiting cannot cure (a broken migration, a refused credential): fail loudly, as before.
    log("error", `start-up failed: ${String((error as Error).stack ?? error)}`);
    process.exit(1);
  });
}
