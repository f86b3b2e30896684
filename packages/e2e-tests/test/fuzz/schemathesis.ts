import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** The Schemathesis release the fuzz stage runs: pinned, so a new release cannot change what passes. */
export const SCHEMATHESIS_VERSION = "4.32.5";

const run = (command: string, args: string[], env: NodeJS.ProcessEnv = process.env) =>
  execFileSync(command, args, { stdio: ["ignore", "inherit", "inherit"], env });

/**
 * The `st` command of Schemathesis, installed from PyPI into a virtualenv under the cache directory on
 * first use (and again when the pinned version changes). Debian ships python3 without its venv module:
 * as root it is installed with apt-get, as `npm test` does for PostgreSQL.
 */
export function schemathesisCommand(cacheDir: string): string {
  const venv = join(cacheDir, "schemathesis-venv");
  const stamp = join(venv, ".okr-installed");
  const st = join(venv, "bin", "st");
  if (existsSync(stamp) && readFileSync(stamp, "utf8").trim() === SCHEMATHESIS_VERSION && existsSync(st))
    return st;

  const hasVenv = () =>
    spawnSync("python3", ["-c", "import venv, ensurepip"], { stdio: "ignore" }).status === 0;
  if (!hasVenv()) {
    const canInstall =
      process.getuid?.() === 0 && spawnSync("apt-get", ["--version"], { stdio: "ignore" }).status === 0;
    if (!canInstall)
      throw new Error(
        "the fuzz stage needs python3 with its venv module (Debian: apt-get install python3-venv)",
      );
    console.error("okr: python3 lacks its venv module; installing Debian's python3-venv package");
    run("apt-get", ["update", "-qq"]);
    run("apt-get", ["install", "-y", "-qq", "--no-install-recommends", "python3-venv"], {
      ...process.env,
      DEBIAN_FRONTEND: "noninteractive",
    });
  }
  console.error(`okr: installing schemathesis ${SCHEMATHESIS_VERSION} into ${venv}`);
  rmSync(venv, { recursive: true, force: true });
  run("python3", ["-m", "venv", venv]);
  run(join(venv, "bin", "pip"), [
    "install",
    "--quiet",
    "--disable-pip-version-check",
    `schemathesis==${SCHEMATHESIS_VERSION}`,
  ]);
  writeFileSync(stamp, `${SCHEMATHESIS_VERSION}\n`);
  return st;
}

/** What the JSON report of `st run` says about a run (the fields the fuzz stage reads). */
export interface SchemathesisReport {
  exit_code: number;
  running_time: number;
  operations: { total: number; tested: number; errored: number };
  phases?: Record<string, { status: string; skip_reason: string | null }> | null;
  test_cases: { generated: number; with_failures: number; unique_failures: number; errored: number };
  failures: { code: string; title: string; count: number; operations: string[] }[];
  errors: { title: string; count: number }[];
}
