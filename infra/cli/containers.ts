import { OKR_SEARCH_ATTRIBUTES } from "@okr/cycle-workflows/search-attributes";
import { ensureDatabases } from "@okr/database";
import { mergeEndpoints, type PlatformEndpoints, SERVICE_DATABASES } from "@okr/endpoints";
import { GenericContainer, type StartedTestContainer, Wait } from "testcontainers";

/** Image tags kept in step with docker-compose.yml. */
export const IMAGES = {
  postgres: "postgres:17-alpine",
  kafka: "apache/kafka:4.1.1",
  temporal: "temporalio/temporal:1.5.1",
} as const;

/**
 * Where a Docker engine answers and the environment names no endpoints, tests get their infrastructure
 * from testcontainers. Kafka and Temporal bind fixed host ports because their clients are told the
 * advertised address up front.
 */
export async function startTestContainers(env: NodeJS.ProcessEnv): Promise<{
  endpoints: PlatformEndpoints;
  stop(): Promise<void>;
}> {
  const [postgres, kafka, temporal] = await Promise.all([
    new GenericContainer(IMAGES.postgres)
      .withEnvironment({ POSTGRES_USER: "okr", POSTGRES_PASSWORD: "okr", POSTGRES_DB: "goals" })
      .withExposedPorts(5432)
      .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
      .start(),
    new GenericContainer(IMAGES.kafka)
      .withExposedPorts({ container: 9092, host: 59092 })
      .withEnvironment({
        KAFKA_NODE_ID: "1",
        KAFKA_PROCESS_ROLES: "broker,controller",
        KAFKA_LISTENERS: "PLAINTEXT://:9092,CONTROLLER://:9093",
        KAFKA_ADVERTISED_LISTENERS: "PLAINTEXT://127.0.0.1:59092",
        KAFKA_CONTROLLER_LISTENER_NAMES: "CONTROLLER",
        KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        KAFKA_CONTROLLER_QUORUM_VOTERS: "1@localhost:9093",
        KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: "1",
        KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: "1",
        KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: "1",
        KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: "0",
        KAFKA_NUM_PARTITIONS: "6",
      })
      .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
      .start(),
    new GenericContainer(IMAGES.temporal)
      .withExposedPorts({ container: 7233, host: 7233 }, { container: 8233, host: 8233 })
      .withCommand([
        "server",
        "start-dev",
        "--ip",
        "0.0.0.0",
        ...Object.entries(OKR_SEARCH_ATTRIBUTES).flatMap(([name, type]) => [
          "--search-attribute",
          `${name}=${type}`,
        ]),
      ])
      .withWaitStrategy(Wait.forListeningPorts())
      .start(),
  ]);
  const started: StartedTestContainer[] = [postgres, kafka, temporal];
  const url = (database: string) =>
    `postgresql://okr:okr@${postgres.getHost()}:${postgres.getMappedPort(5432)}/${database}`;
  const endpoints = mergeEndpoints(
    {
      GOALS_DATABASE_URL: url("goals"),
      VALUE_STREAM_DATABASE_URL: url("value_stream"),
      SCORING_DATABASE_URL: url("scoring"),
      NOTIFIER_DATABASE_URL: url("notifier"),
      KAFKA_BROKERS: "127.0.0.1:59092",
      TEMPORAL_ADDRESS: "127.0.0.1:7233",
      TEMPORAL_NAMESPACE: "default",
    },
    env,
  );
  await ensureDatabases(
    endpoints.GOALS_DATABASE_URL,
    SERVICE_DATABASES.map((db) => db.database),
  );
  return {
    endpoints,
    stop: async () => {
      await Promise.all(started.map((container) => container.stop()));
    },
  };
}
