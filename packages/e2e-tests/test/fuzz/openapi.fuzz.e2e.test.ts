import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { goalsService } from "@okr/goals-service/service";
import { scoringService } from "@okr/scoring-service/service";
import { cacheDir, startTestService, type TestService } from "@okr/testkit";
import { valueStreamService } from "@okr/value-stream-service/service";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SchemathesisReport, schemathesisCommand } from "./schemathesis.ts";

/**
 * The fuzz stage: Schemathesis generates requests from each service's own OpenAPI document (valid and
 * invalid ones, every operation, plus methods the document does not list) and runs every check on the
 * answers: no 5xx, every status, content type, header and body as documented, invalid input refused,
 * valid input accepted, 405 with Allow for an unlisted method, 401 without the token. Bounded by a
 * fixed number of examples per operation and a fixed seed, so a run is repeatable and takes minutes.
 */
const CONFIG = fileURLToPath(new URL("./schemathesis.toml", import.meta.url));
const MAX_EXAMPLES = 5;
const SEED = 1;

const services = {
  goals: () => startTestService(goalsService),
  "value-stream": () => startTestService(valueStreamService),
  scoring: () => startTestService(scoringService),
} as Record<string, () => Promise<TestService<unknown>>>;
type Name = "goals" | "value-stream" | "scoring";

interface Target {
  service: TestService<unknown>;
  url: string;
  token: string;
}

let st: string;
const targets = new Map<Name, Target>();
const tenantId = randomUUID();

beforeAll(async () => {
  st = schemathesisCommand(cacheDir());
  for (const [name, start] of Object.entries(services)) {
    const service = await start();
    const url = await service.app.listen({ host: "127.0.0.1", port: 0 });
    targets.set(name as Name, { service, url, token: await service.token(["admin"], tenantId) });
  }
  // An organization to act in: without one, most goals operations stop at "no organization yet".
  const goals = targets.get("goals")!;
  const organization = await goals.service.app.inject({
    method: "PUT",
    url: "/organization",
    headers: { authorization: `Bearer ${goals.token}` },
    payload: { name: "Fuzzed", mission: "Answers as documented" },
  });
  expect(organization.statusCode).toBe(201);
}, 600_000);

afterAll(async () => {
  await Promise.all([...targets.values()].map((target) => target.service.stop()));
});

/** Runs `st run` against a listening service (asynchronously: the service answers from this process). */
function fuzz(
  target: Target,
): Promise<{ exitCode: number | null; output: string; report: SchemathesisReport }> {
  const dir = mkdtempSync(join(tmpdir(), "okr-fuzz-"));
  const reportPath = join(dir, "report.json");
  const args = [
    "--config-file",
    CONFIG,
    "--no-color",
    "run",
    `${target.url}/docs/json`,
    "--header",
    `Authorization: Bearer ${target.token}`,
    "--checks",
    "all",
    "--phases",
    "examples,coverage,fuzzing",
    "--max-examples",
    String(MAX_EXAMPLES),
    "--seed",
    String(SEED),
    // One worker: Python 3.11's ast module is not thread-safe, and Hypothesis parses with it.
    "--workers",
    "1",
    "--no-shrink",
    "--request-timeout",
    "30",
    "--report",
    "json",
    "--report-json-path",
    reportPath,
  ];
  return new Promise((resolve, reject) => {
    // Run in the scratch directory: st keeps a cache in ./.schemathesis.
    const child = spawn(st, args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk) => {
      output += chunk;
    });
    child.stderr.on("data", (chunk) => {
      output += chunk;
    });
    child.on("error", reject);
    child.on("close", (exitCode) => {
      try {
        resolve({
          exitCode,
          output,
          report: JSON.parse(readFileSync(reportPath, "utf8")) as SchemathesisReport,
        });
      } catch (error) {
        reject(
          new Error(`schemathesis left no report (exit ${exitCode}):\n${output.slice(-4000)}`, {
            cause: error,
          }),
        );
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

describe("OpenAPI fuzz stage", () => {
  it.concurrent.each(Object.keys(services) as Name[])(
    "%s answers every generated request as its OpenAPI document says",
    async (name) => {
      const { exitCode, output, report } = await fuzz(targets.get(name)!);
      console.log(
        `fuzz ${name}: ${report.operations.tested}/${report.operations.total} operations, ` +
          `${report.test_cases.generated} test cases, ${report.test_cases.unique_failures} failures, ` +
          `${report.errors.reduce((sum, e) => sum + e.count, 0)} errors, ${report.running_time.toFixed(0)}s`,
      );
      if (exitCode !== 0) console.log(output.slice(output.indexOf("FAILURES") - 40));
      expect({ failures: report.failures, errors: report.errors }).toEqual({ failures: [], errors: [] });
      expect(report.operations.tested).toBe(report.operations.total);
      expect(report.operations.total).toBeGreaterThan(0);
      expect(exitCode).toBe(0);
    },
    900_000,
  );
});
