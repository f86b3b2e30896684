import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkScope, describeScope, lint, typecheck } from "./checks.ts";
import { describeModes, resolveTestInfrastructure } from "./infrastructure.ts";
import { removeScratchResources } from "./scratch.ts";
import { bin, generatePrismaClients, runInherited, timed } from "./workspace.ts";

interface VitestJsonReport {
  numTotalTests: number;
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  numTotalTestSuites: number;
  testResults: { name: string; status: string }[];
}

/**
 * `npm test`: generate clients, lint, typecheck, bring up real infrastructure, run every unit, integration
 * and end-to-end test in one vitest run, and end with one summary line. Extra arguments go to vitest;
 * file filters among them also narrow lint and typecheck to the workspaces they touch (checks.ts).
 */
export async function test(cacheDir: string, vitestArgs: string[]): Promise<number> {
  const started = performance.now();
  const phases: [string, number][] = [];
  const failures: string[] = [];
  await timed(phases, "generate", generatePrismaClients);
  const scope = checkScope(vitestArgs);
  if (scope.workspaces) console.error(`okr test: lint and typecheck limited to ${describeScope(scope)}`);
  if ((await timed(phases, "lint", () => lint(scope))) !== 0) failures.push("lint");
  if ((await timed(phases, "typecheck", () => typecheck(scope))) !== 0) failures.push("typecheck");

  const infra = await timed(phases, "infrastructure", () => resolveTestInfrastructure(cacheDir, process.env));
  console.error(`okr test: infrastructure ready (${describeModes(infra.modes)})`);
  const reportDir = mkdtempSync(join(tmpdir(), "okr-test-"));
  const reportFile = join(reportDir, "vitest.json");
  let report: VitestJsonReport | undefined;
  try {
    const code = await timed(phases, "tests", () =>
      runInherited(
        bin("vitest"),
        ["run", "--reporter=default", "--reporter=json", `--outputFile.json=${reportFile}`, ...vitestArgs],
        { ...infra.endpoints, OKR_CACHE_DIR: cacheDir },
      ),
    );
    try {
      report = JSON.parse(readFileSync(reportFile, "utf8")) as VitestJsonReport;
    } catch {
      report = undefined;
    }
    if (code !== 0) failures.push("tests");
  } finally {
    rmSync(reportDir, { recursive: true, force: true });
    console.error(`okr test: removed scratch ${await removeScratchResources(infra.endpoints)}`);
    // CI leaves nothing running; on a workstation the infrastructure stays up for the next run.
    if (process.env.CI) await infra.stop();
  }

  const seconds = (performance.now() - started) / 1000;
  const phaseText = phases.map(([name, s]) => `${name} ${s.toFixed(0)}s`).join(", ");
  const counts = report
    ? `${report.numPassedTests}/${report.numTotalTests} tests passed, ${report.numFailedTests} failed, ${report.numPendingTests + report.numTodoTests} skipped, in ${report.testResults.length} files`
    : "no test report";
  const verdict = failures.length === 0 ? "PASS" : `FAIL (${failures.join(", ")})`;
  console.log(`okr test: ${verdict}: ${counts}; ${seconds.toFixed(0)}s total (${phaseText})`);
  return failures.length === 0 ? 0 : 1;
}
