import { type ChildProcess, spawn } from "node:child_process";
import { testEndpoints } from "@okr/endpoints";
import { freePort } from "./network.ts";

/**
 * A service's entry point (its `src/main.ts`, as `npm start` runs it) in a process of its own on a free
 * port, for tests of what only a process shows: start-up against missing dependencies, a SIGTERM's
 * graceful stop, a SIGKILL as a crashed replica dies (no shutdown, no final commit of anything).
 */
export class ServiceProcess {
  readonly baseUrl: string;
  /** Everything it wrote to stderr so far (its log). */
  stderr = "";
  /** Its exit code once it exited (null: ended by a signal); undefined while it runs. */
  exited: number | null | undefined;
  readonly #gone: Promise<void>;
  readonly #child: ChildProcess;

  /**
   * Runs `main` on the test infrastructure (Kafka, Temporal) in test mode, logging warnings; `env` gives
   * what the service needs besides (DATABASE_URL, AUTH_*, ...) and may override any of it.
   */
  static async spawn(main: string, env: Record<string, string>): Promise<ServiceProcess> {
    return new ServiceProcess(main, await freePort(), env);
  }

  private constructor(main: string, port: number, env: Record<string, string>) {
    const endpoints = testEndpoints();
    this.baseUrl = `http://127.0.0.1:${port}`;
    this.#child = spawn(process.execPath, [main], {
      env: {
        PATH: process.env.PATH,
        NODE_ENV: "test",
        LOG_LEVEL: "warn",
        HOST: "127.0.0.1",
        PORT: String(port),
        KAFKA_BROKERS: endpoints.KAFKA_BROKERS,
        KAFKAJS_NO_PARTITIONER_WARNING: "1",
        TEMPORAL_ADDRESS: endpoints.TEMPORAL_ADDRESS,
        ...env,
      },
      stdio: ["ignore", "ignore", "pipe"],
    });
    this.#child.stderr?.on("data", (chunk: Buffer) => {
      this.stderr += chunk.toString();
    });
    this.#gone = new Promise((resolve) =>
      this.#child.once("exit", (code) => {
        this.exited = code;
        resolve();
      }),
    );
  }

  async readiness(): Promise<{ status: number; body: { checks?: Record<string, string> } }> {
    const response = await fetch(`${this.baseUrl}/readyz`);
    return { status: response.status, body: (await response.json()) as { checks?: Record<string, string> } };
  }

  /** SIGKILL, at once (synchronous, so a test may kill it from inside a callback). */
  kill(): void {
    if (this.exited === undefined) this.#child.kill("SIGKILL");
  }

  /** SIGTERM, and waits for it to exit (SIGKILL if it has not within `graceMs`). */
  async stop(graceMs = 30_000): Promise<void> {
    if (this.exited !== undefined) return;
    this.#child.kill("SIGTERM");
    const timer = setTimeout(() => this.kill(), graceMs);
    await this.#gone;
    clearTimeout(timer);
  }
}
