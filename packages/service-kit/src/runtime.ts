import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import {
  loadConfigOrExit,
  rejectDevelopmentSecretInProduction,
  type ServiceConfig,
  ServiceConfigSchema,
} from "@okr/config";
import { applyMigrations, createPool } from "@okr/database";
import { createKafkaBus, type MessageBus, OutboxRelay } from "@okr/messaging";
import { startTelemetry } from "@okr/telemetry";
import type { FastifyInstance } from "fastify";
import type pg from "pg";
import type { TObject } from "typebox";
import { createServiceApp, type ReadinessChecks } from "./app.ts";
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
  disconnectDb: (db: Db) => Promise<void>;
  build: (runtime: ServiceRuntime<Db, Config>) => Promise<ServiceParts>;
}

/**
 * The service's HTTP app wired from its runtime: JWT settings, log level, CORS origins and rate limit from
 * its config, a database readiness check (plus any others), Idempotency-Key answers kept in its database,
 * and its routes.
 */
export function createRuntimeApp<Db>(
  runtime: ServiceRuntime<Db>,
  options: { description: string; routes: FastifyPluginAsyncTypebox; readiness?: ReadinessChecks },
) {
  return createServiceApp({
    name: runtime.name,
    description: options.description,
    auth: {
      secret: runtime.config.AUTH_JWT_SECRET,
      issuer: runtime.config.AUTH_JWT_ISSUER,
      maxTokenLifetimeSeconds: runtime.config.AUTH_MAX_TOKEN_LIFETIME_SECONDS,
    },
    logger: { level: runtime.config.LOG_LEVEL },
    readiness: { database: () => runtime.pool.query("select 1"), ...options.readiness },
    idempotency: { db: runtime.pool },
    security: {
      corsAllowedOrigins: runtime.config.CORS_ALLOWED_ORIGINS.split(",").filter(Boolean),
      rateLimitPerMinute: runtime.config.RATE_LIMIT_PER_MINUTE,
    },
    routes: options.routes,
  });
}

/**
 * The one process entry point of every service: validated config (exit 78 on a bad value, before
 * anything starts), telemetry, pool, migrations, outbox relay, background consumers, HTTP, and a
 * graceful shutdown that stops them in reverse order.
 */
export async function runServiceProcess<Db, Config extends ServiceConfig = ServiceConfig>(
  definition: ServiceDefinition<Db, Config>,
): Promise<void> {
  const schema = definition.configSchema ?? ServiceConfigSchema;
  const config = loadConfigOrExit(schema, process.env, (c) =>
    rejectDevelopmentSecretInProduction(c as ServiceConfig),
  ) as Config;
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
  await applyMigrations({
    databaseUrl: config.DATABASE_URL,
    migrationsDir: definition.migrationsDir,
    log: (line) => log("info", line),
  });
  const db = definition.createDb(pool);
  const bus = createKafkaBus({
    brokers: config.KAFKA_BROKERS,
    clientId: config.KAFKA_CLIENT_ID ?? definition.name,
    log: (level, message) => log(level, message),
  });
  const relay = new OutboxRelay({ pool, createProducer: () => bus.producer(), log });
  const { app, background } = await definition.build({
    name: definition.name,
    config,
    pool,
    db,
    bus,
    consumerGroup: config.KAFKA_CONSUMER_GROUP ?? definition.name,
    log,
  });
  relay.start();
  for (const work of background) await work.start();
  await runService({
    app,
    host: config.HOST,
    port: config.PORT,
    graceMs: config.SHUTDOWN_GRACE_MS,
    closers: [
      ...background.map((work) => () => work.stop()),
      () => relay.stop(),
      () => definition.disconnectDb(db),
      () => pool.end(),
      () => telemetry.shutdown(),
    ],
  });
}
