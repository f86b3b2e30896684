import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import {
  type KafkaInstance,
  NATIVE_KAFKA,
  nativeKafkaBrokers,
  silenceKafkajsNegativeTimeoutWarning,
} from "@okr/endpoints";
import { Kafka, logLevel } from "kafkajs";
import { isAlive, readPid, requireCommand, run, startDaemon, stopDaemon } from "./processes.ts";

export { type KafkaInstance, NATIVE_KAFKA, nativeKafkaBrokers };

export const KAFKA_VERSION = "4.1.1";
const brokersOf = (instance: KafkaInstance) => `${instance.host}:${instance.port}`;

const kafkaInfraDir = fileURLToPath(new URL("../kafka/", import.meta.url));

export async function kafkaIsReady(brokers = nativeKafkaBrokers): Promise<boolean> {
  silenceKafkajsNegativeTimeoutWarning();
  const admin = new Kafka({
    clientId: "okr-infra-probe",
    brokers: brokers.split(","),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    retry: { retries: 0 },
  }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length > 0;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/** Resolves the broker jars from Maven Central into the cache once. */
function ensureKafkaJars(cacheDir: string): string {
  const libs = join(cacheDir, "kafka", KAFKA_VERSION, "libs");
  if (existsSync(libs) && readdirSync(libs).some((file) => file.startsWith("kafka_2.13-"))) return libs;
  requireCommand(
    "java",
    "the Kafka broker",
    "Install a JDK 17+ (Debian: apt-get install openjdk-17-jre-headless).",
  );
  requireCommand("mvn", "the Kafka broker download", "Install Maven (Debian: apt-get install maven).");
  console.error(`okr: resolving Apache Kafka ${KAFKA_VERSION} jars from Maven Central`);
  run("mvn", [
    "-q",
    "-B",
    "-f",
    join(kafkaInfraDir, "pom.xml"),
    `-Dmaven.repo.local=${join(cacheDir, "m2")}`,
    "dependency:copy-dependencies",
    "-DincludeScope=runtime",
    `-DoutputDirectory=${libs}.partial`,
  ]);
  run("mv", [`${libs}.partial`, libs]);
  return libs;
}

function serverProperties(instance: KafkaInstance, dataDir: string): string {
  const { host, port, controllerPort } = instance;
  return [
    "process.roles=broker,controller",
    "node.id=1",
    `controller.quorum.voters=1@${host}:${controllerPort}`,
    `listeners=PLAINTEXT://${host}:${port},CONTROLLER://${host}:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://${host}:${port}`,
    "controller.listener.names=CONTROLLER",
    "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
    `log.dirs=${dataDir}`,
    "num.partitions=6",
    "offsets.topic.replication.factor=1",
    "offsets.topic.num.partitions=6",
    "transaction.state.log.replication.factor=1",
    "transaction.state.log.min.isr=1",
    "share.coordinator.state.topic.replication.factor=1",
    "group.initial.rebalance.delay.ms=0",
    "auto.create.topics.enable=true",
    "",
  ].join("\n");
}

const kafkaHome = (cacheDir: string, instance: KafkaInstance) => join(cacheDir, "kafka", instance.name);
/** A broker's log directory; ensureKafka formats it when it holds no meta.properties. */
export const kafkaDataDir = (cacheDir: string, instance: KafkaInstance) =>
  join(kafkaHome(cacheDir, instance), "data");

/** Formats (once) and starts a single KRaft broker; returns true if it started it. */
export async function ensureKafka(
  cacheDir: string,
  instance: KafkaInstance = NATIVE_KAFKA,
): Promise<boolean> {
  if (await kafkaIsReady(brokersOf(instance))) return false;
  requireCommand(
    "java",
    "the Kafka broker",
    "Install a JDK 17+ (Debian: apt-get install openjdk-17-jre-headless).",
  );
  const libs = ensureKafkaJars(cacheDir);
  const home = kafkaHome(cacheDir, instance);
  const dataDir = kafkaDataDir(cacheDir, instance);
  const propertiesFile = join(home, "server.properties");
  const logFile = join(cacheDir, "logs", `kafka-${instance.name}.log`);
  mkdirSync(home, { recursive: true });
  writeFileSync(propertiesFile, serverProperties(instance, dataDir));
  const classpath = `${libs}/*`;
  if (!existsSync(join(dataDir, "meta.properties"))) {
    const clusterId = randomKafkaClusterId();
    run("java", [
      "-cp",
      classpath,
      "kafka.tools.StorageTool",
      "format",
      "-t",
      clusterId,
      "-c",
      propertiesFile,
    ]);
  }
  await startDaemon({
    name: "kafka",
    command: "java",
    args: [
      "-Xms256m",
      "-Xmx1g",
      "-XX:+UseG1GC",
      `-Dlog4j2.configurationFile=${join(kafkaInfraDir, "log4j2.yaml")}`,
      "-cp",
      classpath,
      "kafka.Kafka",
      propertiesFile,
    ],
    logFile,
    pidFile: join(home, "kafka.pid"),
    ready: {
      what: `Kafka ${instance.name}`,
      probe: () => kafkaIsReady(brokersOf(instance)),
      timeoutMs: 90_000,
    },
  });
  return true;
}

/** What `kafka-storage random-uuid` prints (base64url of 16 random bytes), without starting a JVM for it. */
function randomKafkaClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString("base64url");
    if (!id.startsWith("-")) return id; // Kafka's tools refuse ids that look like a command-line flag
  }
}

export async function stopKafka(cacheDir: string, instance: KafkaInstance = NATIVE_KAFKA): Promise<boolean> {
  return stopDaemon(join(kafkaHome(cacheDir, instance), "kafka.pid"), 30_000);
}

/** Kills the broker with SIGKILL (a crash: no controlled shutdown, no leave-group), for fault tests. */
export async function killKafka(cacheDir: string, instance: KafkaInstance): Promise<boolean> {
  const pidFile = join(kafkaHome(cacheDir, instance), "kafka.pid");
  const pid = readPid(pidFile);
  if (pid === undefined || !isAlive(pid)) return false;
  process.kill(pid, "SIGKILL");
  while (isAlive(pid)) await sleep(50);
  rmSync(pidFile, { force: true });
  return true;
}
