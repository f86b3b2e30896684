import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { ALL_EVENTS } from "@okr/events";
import { freePort, startConsumerGroupsAt, testEndpoints } from "@okr/testkit";

const MAIN = fileURLToPath(new URL("../../src/main.ts", import.meta.url));

/**
 * The suffixes of the notifier's consumer groups (its consumers in src/consumers). A group missing here
 * still works, but reads the shared topics from their beginning.
 */
const CONSUMER_GROUPS = ["people", "teams", "objectives", "notifications", "activity", "webhooks"];

/**
 * The notifier's entry point (`src/main.ts`, as `npm start` runs it) in a process of its own, so a test
 * can SIGKILL it as a crashed replica dies (no graceful shutdown, no final commit of anything).
 */
export class NotifierProcess {
  /** Everything it wrote to stderr so far (its log). */
  stderr = "";
  /** Its exit code once it exited (null: ended by a signal); undefined while it runs. */
  exitCode: number | null | undefined;
  readonly exited: Promise<void>;
  readonly #child: ChildProcess;

  /**
   * Starts the groups of KAFKA_CONSUMER_GROUP `prefix` on every catalog topic at what is published from
   * now on: the process's own bus would read the shared topics' whole history first. Call it once,
   * before the first process of the prefix starts.
   */
  static async startGroups(prefix: string): Promise<void> {
    const topics = [...new Set(ALL_EVENTS.map((definition) => definition.topic))];
    await startConsumerGroupsAt(
      CONSUMER_GROUPS.map((suffix) => `${prefix}.${suffix}`),
      topics,
      Date.now(),
    );
  }

  /** `env` gives DATABASE_URL, KAFKA_CONSUMER_GROUP and SMTP_URL, and may add or override any variable. */
  static async spawn(
    env: { DATABASE_URL: string; KAFKA_CONSUMER_GROUP: string; SMTP_URL: string } & Record<string, string>,
  ): Promise<NotifierProcess> {
    return new NotifierProcess(await freePort(), env);
  }

  private constructor(port: number, env: Record<string, string>) {
    const endpoints = testEndpoints();
    this.#child = spawn(process.execPath, [MAIN], {
      env: {
        PATH: process.env.PATH,
        NODE_ENV: "test",
        LOG_LEVEL: "warn",
        HOST: "127.0.0.1",
        PORT: String(port),
        KAFKA_BROKERS: endpoints.KAFKA_BROKERS,
        KAFKAJS_NO_PARTITIONER_WARNING: "1",
        TEMPORAL_ADDRESS: endpoints.TEMPORAL_ADDRESS,
        AUTH_JWT_SECRET: "notifier-process-test-secret-0123456789",
        ...env,
      },
      stdio: ["ignore", "ignore", "pipe"],
    });
    this.#child.stderr?.on("data", (chunk: Buffer) => {
      this.stderr += chunk.toString();
    });
    this.exited = new Promise((resolve) =>
      this.#child.once("exit", (code) => {
        this.exitCode = code;
        resolve();
      }),
    );
  }

  /** SIGKILL, at once (synchronous, so a test can kill it from inside a callback); `exited` tells when it is gone. */
  kill(): void {
    if (this.exitCode === undefined) this.#child.kill("SIGKILL");
  }

  /** SIGTERM, and waits for it to exit (SIGKILL if it has not within `graceMs`). */
  async stop(graceMs = 30_000): Promise<void> {
    if (this.exitCode !== undefined) return;
    this.#child.kill("SIGTERM");
    const timer = setTimeout(() => this.kill(), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}
