import { dropDatabase } from "@okr/database";
import { isScratchTopic, type PlatformEndpoints } from "@okr/endpoints";
import { Kafka, logLevel } from "kafkajs";
import pg from "pg";

/** Databases made by `createTestDatabase` (@okr/database/testing). */
const SCRATCH_DATABASE = /^test_[0-9a-f]{12}$/;

/**
 * Removes what test and bench runs leave on the shared infrastructure: scratch topics and test databases.
 * A test run makes hundreds of six-partition topics; on a broker whose data lives on in the cache they
 * pile up (thousands of partitions, gigabytes) and slow every later run. Runs at the end of `okr test`
 * and `okr bench`, so it also clears what a killed run left. Two runs against one broker at once are not
 * supported: the first to finish would take the other's topics. Best effort: a failure is reported and
 * the run's verdict stands.
 */
export async function removeScratchResources(endpoints: PlatformEndpoints): Promise<string> {
  const [topics, databases] = await Promise.all([
    removeScratchTopics(endpoints.KAFKA_BROKERS).then(
      (count) => `${count} topics`,
      (error: Error) => `topics left (${error.message})`,
    ),
    // Test databases live on the server of the goals database (see createTestDatabase).
    dropScratchDatabases(endpoints.GOALS_DATABASE_URL).then(
      (count) => `${count} databases`,
      (error: Error) => `databases left (${error.message})`,
    ),
  ]);
  return `${topics}, ${databases}`;
}

async function removeScratchTopics(brokers: string): Promise<number> {
  const kafka = new Kafka({
    clientId: "okr-scratch-cleanup",
    brokers: brokers.split(","),
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter(isScratchTopic);
    if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 60_000 });
    return topics.length;
  } finally {
    await admin.disconnect();
  }
}

async function dropScratchDatabases(serverUrl: string): Promise<number> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  let names: string[];
  try {
    const { rows } = await client.query<{ datname: string }>("select datname from pg_database");
    names = rows.map((row) => row.datname).filter((name) => SCRATCH_DATABASE.test(name));
  } finally {
    await client.end();
  }
  for (const name of names) await dropDatabase(serverUrl, name);
  return names.length;
}
