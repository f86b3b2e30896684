import { randomUUID } from "node:crypto";
import { loadConfig, type ServiceConfig, ServiceConfigSchema } from "@okr/config";
import { OutboxRelay } from "@okr/messaging";
import { type Role, type ServiceDefinition, type ServiceRuntime, signToken } from "@okr/service-kit";
import type { FastifyInstance } from "fastify";
import { createTestDatabase } from "./database.ts";
import { testEndpoints } from "./endpoints.ts";
import { testBus, uniqueName } from "./kafka.ts";

export interface TestService<Db> {
  app: FastifyInstance;
  runtime: ServiceRuntime<Db>;
  relay: OutboxRelay;
  /** A signed token for a person of `tenantId` (a fresh tenant by default) with the given roles. */
  token(roles: Role[], tenantId?: string, subject?: string): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Boots a service exactly as its process does (same definition, same build), but on a fresh database
 * of the real test server and the real broker, with its outbox relay running.
 */
export async function startTestService<Db>(
  definition: ServiceDefinition<Db, ServiceConfig>,
  overrides: Record<string, string> = {},
): Promise<TestService<Db>> {
  const database = await createTestDatabase({ migrationsDir: definition.migrationsDir, poolMax: 10 });
  const endpoints = testEndpoints();
  const config = loadConfig(ServiceConfigSchema, {
    NODE_ENV: "test",
    LOG_LEVEL: "warn",
    DATABASE_URL: database.url,
    KAFKA_BROKERS: endpoints.KAFKA_BROKERS,
    TEMPORAL_ADDRESS: endpoints.TEMPORAL_ADDRESS,
    TEMPORAL_NAMESPACE: endpoints.TEMPORAL_NAMESPACE,
    AUTH_JWT_SECRET: "integration-test-secret-0123456789",
    ...overrides,
  });
  const db = definition.createDb(database.pool);
  const runtime: ServiceRuntime<Db> = {
    name: definition.name,
    config,
    pool: database.pool,
    db,
    bus: testBus(config.KAFKA_BROKERS),
    consumerGroup: uniqueName(`${definition.name}-test`),
    log: () => {},
  };
  const { app, background } = await definition.build(runtime);
  await app.ready();
  const relay = new OutboxRelay({ pool: database.pool, createProducer: () => runtime.bus.producer() });
  relay.start();
  for (const work of background) await work.start();
  const auth = { secret: config.AUTH_JWT_SECRET, issuer: config.AUTH_JWT_ISSUER };
  return {
    app,
    runtime,
    relay,
    token: (roles, tenantId = randomUUID(), subject = randomUUID()) =>
      signToken(auth, { tenantId, subject, roles }),
    async stop() {
      for (const work of background) await work.stop();
      await relay.stop();
      await app.close();
      await definition.disconnectDb(db);
      await database.drop();
    },
  };
}
