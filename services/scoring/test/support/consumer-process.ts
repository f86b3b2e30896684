/**
 * A scoring consumer alone in its own process, so a test can SIGKILL it mid-stream (no graceful
 * shutdown, no final offset commit) exactly as a crashed replica dies.
 * Env: SCORING_TEST_DATABASE_URL, SCORING_TEST_TOPICS (comma-separated), SCORING_TEST_GROUP, KAFKA_BROKERS.
 */
import { createPool } from "@okr/database";
import { createKafkaBus } from "@okr/messaging";
import { createScoringConsumer } from "../../src/consumer.ts";

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};
const pool = createPool({
  connectionString: env("SCORING_TEST_DATABASE_URL"),
  max: 4,
  applicationName: "scoring-crash",
});
const bus = createKafkaBus({ brokers: env("KAFKA_BROKERS"), clientId: "scoring-crash", log: () => {} });
const scoring = createScoringConsumer(pool, bus, {
  groupId: env("SCORING_TEST_GROUP"),
  topics: env("SCORING_TEST_TOPICS").split(","),
  maxBatchSize: 50,
  sessionTimeoutMs: 6_000,
});
await scoring.start();
process.stdout.write("consuming\n");
