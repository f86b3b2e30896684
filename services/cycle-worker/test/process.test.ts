import { spawn, spawnSync } from "node:child_process";
import type { Server } from "node:net";
import { fileURLToPath } from "node:url";
import { freePort, startTcpProxy, testEndpoints, uniqueName, waitFor } from "@okr/testkit";
import { describe, expect, it } from "vitest";

const main = fileURLToPath(new URL("../src/main.ts", import.meta.url));

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
    const endpoints = testEndpoints();
    const child = spawn(process.execPath, [main], {
      env: {
        PATH: process.env.PATH,
        KAFKA_BROKERS: endpoints.KAFKA_BROKERS,
        TEMPORAL_ADDRESS: endpoints.TEMPORAL_ADDRESS,
        TEMPORAL_NAMESPACE: endpoints.TEMPORAL_NAMESPACE,
        TEMPORAL_TASK_QUEUE: uniqueName("okr-cycles-process"),
        AUTH_JWT_SECRET: "a-test-secret-of-some-length",
        GOALS_URL: "http://127.0.0.1:3101",
        SCORING_URL: "http://127.0.0.1:3103",
        KAFKAJS_NO_PARTITIONER_WARNING: "1",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    await waitFor("the worker to poll", () => stderr.includes('"msg":"polling"'), 60_000);
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(stderr).toContain("SIGTERM: finishing in-flight tasks");
    expect(stderr).toContain('"msg":"stopped"');
  }, 90_000);

  it("waits for a Temporal server that is not up yet instead of exiting, logging it once", async () => {
    const endpoints = testEndpoints();
    // Temporal "comes up" when a proxy to the real server starts listening on the address the worker has.
    const port = await freePort();
    const child = spawn(process.execPath, [main], {
      env: {
        PATH: process.env.PATH,
        KAFKA_BROKERS: endpoints.KAFKA_BROKERS,
        TEMPORAL_ADDRESS: `127.0.0.1:${port}`,
        TEMPORAL_NAMESPACE: endpoints.TEMPORAL_NAMESPACE,
        TEMPORAL_TASK_QUEUE: uniqueName("okr-cycles-late-temporal"),
        AUTH_JWT_SECRET: "a-test-secret-of-some-length",
        GOALS_URL: "http://127.0.0.1:3101",
        SCORING_URL: "http://127.0.0.1:3103",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    let exitCode: number | null | undefined;
    const exited = new Promise<number | null>((resolve) =>
      child.once("exit", (code) => {
        exitCode = code;
        resolve(code);
      }),
    );
    let proxy: Server | undefined;
    try {
      await waitFor(
        "the worker to report Temporal unreachable",
        () => stderr.includes("Temporal worker:"),
        60_000,
      );
      // Several retries later it is still there, and said so once.
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      expect(exitCode).toBeUndefined();
      expect(stderr.split("Temporal worker:").length - 1).toBe(1);
      expect(stderr).not.toContain('"msg":"polling"');

      proxy = await startTcpProxy(port, endpoints.TEMPORAL_ADDRESS);
      await waitFor("the worker to poll", () => stderr.includes('"msg":"polling"'), 60_000);
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
    } finally {
      if (exitCode === undefined) child.kill("SIGKILL");
      proxy?.close();
    }
  }, 120_000);
});
