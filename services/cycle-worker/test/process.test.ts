import { spawn, spawnSync } from "node:child_process";
import type { Server } from "node:net";
import { fileURLToPath } from "node:url";
import { freePort, startTcpProxy, testEndpoints, uniqueName, waitFor } from "@okr/testkit";
import { describe, expect, it } from "vitest";

const main = fileURLToPath(new URL("../src/main.ts", import.meta.url));

/**
 * The worker process on the test infrastructure with a valid configuration, `env` adding to or overriding
 * it; its log (stderr) collects in `stderr`, its exit code in `exitCode` (undefined while it runs).
 */
function spawnWorker(env: Record<string, string>) {
  const endpoints = testEndpoints();
  const child = spawn(process.execPath, [main], {
    env: {
      PATH: process.env.PATH,
      KAFKA_BROKERS: endpoints.KAFKA_BROKERS,
      TEMPORAL_ADDRESS: endpoints.TEMPORAL_ADDRESS,
      TEMPORAL_NAMESPACE: endpoints.TEMPORAL_NAMESPACE,
      AUTH_JWT_SECRET: "a-test-secret-of-some-length",
      GOALS_URL: "http://127.0.0.1:3101",
      SCORING_URL: "http://127.0.0.1:3103",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const worker = {
    child,
    stderr: "",
    exitCode: undefined as number | null | undefined,
    exited: new Promise<number | null>((resolve) =>
      child.once("exit", (code) => {
        worker.exitCode = code;
        resolve(code);
      }),
    ),
  };
  child.stderr.on("data", (chunk) => {
    worker.stderr += chunk;
  });
  return worker;
}

describe("cycle worker process", () => {
  it("exits 78 naming each bad variable, without leaking the secret", () => {
    const result = spawnSync(process.execPath, [main], {
      encoding: "utf8",
      timeout: 30_000,
      env: {
        PATH: process.env.PATH,
        KAFKA_BROKERS: "not a broker list",
        TEMPORAL_ADDRESS: "127.0.0.1:7233",
        AUTH_JWT_SECRET: "short",
        GOALS_URL: "goals",
      },
    });
    expect(result.status).toBe(78);
    for (const variable of ["KAFKA_BROKERS", "AUTH_JWT_SECRET", "GOALS_URL", "SCORING_URL"])
      expect(result.stderr).toContain(variable);
    expect(result.stderr).not.toContain("short");
  });

  it("polls its task queue and stops gracefully on SIGTERM", async () => {
    const worker = spawnWorker({
      TEMPORAL_TASK_QUEUE: uniqueName("okr-cycles-process"),
      KAFKAJS_NO_PARTITIONER_WARNING: "1",
    });
    await waitFor("the worker to poll", () => worker.stderr.includes('"msg":"polling"'), 60_000);
    worker.child.kill("SIGTERM");
    expect(await worker.exited).toBe(0);
    expect(worker.stderr).toContain("SIGTERM: finishing in-flight tasks");
    expect(worker.stderr).toContain('"msg":"stopped"');
  }, 90_000);

  it("waits for a Temporal server that is not up yet instead of exiting, logging it once", async () => {
    // Temporal "comes up" when a proxy to the real server starts listening on the address the worker has.
    const port = await freePort();
    const worker = spawnWorker({
      TEMPORAL_ADDRESS: `127.0.0.1:${port}`,
      TEMPORAL_TASK_QUEUE: uniqueName("okr-cycles-late-temporal"),
    });
    let proxy: Server | undefined;
    try {
      await waitFor(
        "the worker to report Temporal unreachable",
        () => worker.stderr.includes("Temporal worker:"),
        60_000,
      );
      // Several retries later it is still there, and said so once.
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      expect(worker.exitCode).toBeUndefined();
      expect(worker.stderr.split("Temporal worker:").length - 1).toBe(1);
      expect(worker.stderr).not.toContain('"msg":"polling"');

      proxy = await startTcpProxy(port, testEndpoints().TEMPORAL_ADDRESS);
      await waitFor("the worker to poll", () => worker.stderr.includes('"msg":"polling"'), 60_000);
      worker.child.kill("SIGTERM");
      expect(await worker.exited).toBe(0);
    } finally {
      if (worker.exitCode === undefined) worker.child.kill("SIGKILL");
      proxy?.close();
    }
  }, 120_000);
});
