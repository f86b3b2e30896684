import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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
 * valid input accepted, 405 with Allow for an unlisted method, 401 without the token. Its stateful phase
 * follows the documents' links (create, then read, change, delete what was created). It acts as tenant
 * A; every object A reads is read again as tenant B, who must not get it. Bounded by a fixed number of
 * examples per operation and of scenarios, and a fixed seed, so a run is repeatable and takes minutes.
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
  /** Tenant A's token, then tenant B's. */
  tokens: { a: string; b: string };
  /** Requests the service received, per tenant. */
  requests: { a: number; b: number; other: number };
}

let st: string;
const targets = new Map<Name, Target>();
const tenantA = randomUUID();
const tenantB = randomUUID();

beforeAll(async () => {
  st = schemathesisCommand(cacheDir());
  for (const [name, start] of Object.entries(services)) {
    const service = await start();
    const url = await service.app.listen({ host: "127.0.0.1", port: 0 });
    const tokens = { a: await service.token(["admin"], tenantA), b: await service.token(["admin"], tenantB) };
    const target: Target = { service, url, tokens, requests: { a: 0, b: 0, other: 0 } };
    // Counted as they arrive, so the report can show tenant B was asked for tenant A's objects.
    service.app.server.on("request", (request: { headers: { authorization?: string } }) => {
      const token = request.headers.authorization?.replace(/^bearer\s+/i, "");
      target.requests[token === tokens.a ? "a" : token === tokens.b ? "b" : "other"] += 1;
    });
    targets.set(name as Name, target);
  }
  // An organization for each tenant: without one, most goals operations stop at "no organization yet",
  // and tenant B must be refused A's objects for being another tenant, not for having no organization.
  const goals = targets.get("goals")!;
  for (const token of [goals.tokens.a, goals.tokens.b]) {
    const organization = await goals.service.app.inject({
      method: "PUT",
      url: "/organization",
      headers: { authorization: `Bearer ${token}` },
      payload: { name: "Fuzzed", mission: "Answers as documented" },
    });
    expect(organization.statusCode).toBe(201);
  }
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
  // The two tenants as Web Fuzzing Commons users; schemathesis.toml names them tenant-a and tenant-b.
  const authPath = join(dir, "tenants.json");
  writeFileSync(
    authPath,
    JSON.stringify({
      auth: Object.entries(target.tokens).map(([tenant, token]) => ({
        name: `tenant-${tenant}`,
        fixedHeaders: [{ name: "Authorization", value: `Bearer ${token}` }],
      })),
    }),
  );
  const args = [
    "--config-file",
    CONFIG,
    "--no-color",
    "run",
    `${target.url}/docs/json`,
    // Every check runs (schemathesis' default): naming them here would also override the few the
    // config turns off for single operations.
    "--phases",
    "examples,coverage,fuzzing,stateful",
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
    const child = spawn(st, args, {
      cwd: dir,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, OKR_FUZZ_AUTH: authPath },
    });
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
      const target = targets.get(name)!;
      const { exitCode, output, report } = await fuzz(target);
      const { a, b, other } = target.requests;
      console.log(
        `fuzz ${name}: ${report.operations.tested}/${report.operations.total} operations, ` +
          `${report.test_cases.generated} test cases, ${a + b + other} requests (${b} as tenant B), ` +
          `${report.test_cases.unique_failures} failures, ` +
          `${report.errors.reduce((sum, e) => sum + e.count, 0)} errors, ${report.running_time.toFixed(0)}s; ` +
          `stateful: ${[...output.matchAll(/(Scenarios|API Links):\s+([^\n]+)/g)].map((m) => `${m[1]} ${m[2]?.trim()}`).join(", ") || "no links"}`,
      );
      if (exitCode !== 0) console.log(output.slice(output.indexOf("FAILURES") - 40));
      expect({ failures: report.failures, errors: report.errors }).toEqual({ failures: [], errors: [] });
      expect(report.operations.tested).toBe(report.operations.total);
      expect(report.operations.total).toBeGreaterThan(0);
      // Where the document links a create to its resource, the stateful phase ran those chains, and
      // tenant B was asked for what tenant A read. Scoring creates nothing (its documents have no links).
      if (name !== "scoring") {
        expect(report.phases?.stateful?.status, JSON.stringify(report.phases)).toBe("success");
        expect(b).toBeGreaterThan(0);
      }
      expect(exitCode).toBe(0);
    },
    900_000,
  );
});
