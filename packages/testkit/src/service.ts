import { createHmac, randomUUID } from "node:crypto";
import { loadConfig, type ServiceConfig, ServiceConfigSchema } from "@okr/config";
import { createTestDatabase } from "@okr/database/testing";
import { testEndpoints, uniqueName } from "@okr/endpoints";
import { OutboxRelay } from "@okr/messaging";
import { testBus } from "@okr/messaging/testing";
import { type Role, type ServiceDefinition, type ServiceRuntime, signToken } from "@okr/service-kit";
import type { FastifyInstance } from "fastify";

export interface TestService<Db, Config extends ServiceConfig = ServiceConfig> {
  app: FastifyInstance;
  runtime: ServiceRuntime<Db, Config>;
  relay: OutboxRelay;
  /** A signed token for a person of `tenantId` (a fresh tenant by default) with the given roles. */
  token(roles: Role[], tenantId?: string, subject?: string): Promise<string>;
  /** An HS256 token with exactly these claims (issuer added unless given), for tests of bad tokens. */
  signClaims(claims: Record<string, unknown>): string;
  stop(): Promise<void>;
}

/**
 * Boots a service exactly as its process does (same definition, same build), but on a fresh database
 * of the real test server (or `databaseServerUrl`'s) and the real broker, with its outbox relay running.
 */
export async function startTestService<Db, Config extends ServiceConfig = ServiceConfig>(
  definition: ServiceDefinition<Db, Config>,
  overrides: Record<string, string> = {},
  options: { databaseServerUrl?: string } = {},
): Promise<TestService<Db, Config>> {
  const database = await createTestDatabase({
    migrationsDir: definition.migrationsDir,
    poolMax: 10,
    serverUrl: options.databaseServerUrl,
  });
  const endpoints = testEndpoints();
  const config = loadConfig(definition.configSchema ?? ServiceConfigSchema, {
    NODE_ENV: "test",
    LOG_LEVEL: "warn",
    DATABASE_URL: database.url,
    KAFKA_BROKERS: endpoints.KAFKA_BROKERS,
    TEMPORAL_ADDRESS: endpoints.TEMPORAL_ADDRESS,
    TEMPORAL_NAMESPACE: endpoints.TEMPORAL_NAMESPACE,
    AUTH_JWT_SECRET: "integration-test-secret-0123456789",
    ...overrides,
  }) as Config;
  const db = definition.createDb(database.pool);
  const runtime: ServiceRuntime<Db, Config> = {
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
  const auth = { secret: config.AUTH_JWT_SECRET as string, issuer: config.AUTH_JWT_ISSUER };
  return {
    app,
    runtime,
    relay,
    token: (roles, tenantId = randomUUID(), subject = randomUUID()) =>
      signToken(auth, { tenantId, subject, roles }),
    signClaims: (claims) => {
      const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
      const unsigned = `${part({ alg: "HS256", typ: "JWT" })}.${part({ iss: auth.issuer, ...claims })}`;
      return `${unsigned}.${createHmac("sha256", auth.secret).update(unsigned).digest("base64url")}`;
    },
    async stop() {
      for (const work of background) await work.stop();
      await relay.stop();
      await app.close();
      await definition.disconnectDb?.(db);
      await database.drop();
    },
  };
}
