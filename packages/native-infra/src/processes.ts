import { spawn, spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createConnection } from "node:net";
import { dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

/** A prerequisite the native path needs and the machine lacks: names it and the Docker alternative. */
export class MissingPrerequisiteError extends Error {
  override name = "MissingPrerequisiteError";
}

export function requireCommand(command: string, purpose: string, hint: string): void {
  if (!commandExists(command)) {
    throw new MissingPrerequisiteError(
      `${command} is required to run ${purpose} natively but was not found on PATH. ${hint} ` +
        "Alternatively run with a Docker engine (docker compose / testcontainers are used automatically), " +
        "or point GOALS_DATABASE_URL, KAFKA_BROKERS and TEMPORAL_ADDRESS at running infrastructure.",
    );
  }
}

export function commandExists(command: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" }).status === 0;
}

/**
 * Builds a Go command (`module@version`) from the Go module proxy into `<cacheDir>/bin` once, with the
 * module and build caches in the cache too; returns the binary's path.
 */
export function goInstall(cacheDir: string, module: string, binaryName: string, purpose: string): string {
  const binary = join(cacheDir, "bin", binaryName);
  if (existsSync(binary)) return binary;
  requireCommand("go", purpose, "Install Go 1.23+ (Debian: apt-get install golang).");
  console.error(`okr: building ${purpose} (${module}); this takes a few minutes once`);
  run("go", ["install", module], {
    env: {
      ...process.env,
      GOBIN: join(cacheDir, "bin"),
      GOMODCACHE: join(cacheDir, "go", "mod"),
      GOCACHE: join(cacheDir, "go", "build"),
      CGO_ENABLED: "0",
    },
  });
  return binary;
}

/** Runs a command to completion; throws with its output when it fails. */
export function run(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): string {
  const result = spawnSync(command, args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024, ...options });
  if (result.status !== 0) {
    const output = `${result.stdout ?? ""}${result.stderr ?? ""}`.trim().split("\n").slice(-30).join("\n");
    throw new Error(
      `${command} ${args.join(" ")} failed (exit ${result.status ?? result.signal}):\n${output}`,
    );
  }
  return result.stdout;
}

/**
 * Installs Debian packages with apt-get when this process may (root, apt-get present; nothing asks a
 * question). Answers false, having done nothing, when it may not: the caller names what is missing.
 */
export function installDebianPackages(packages: string[], why: string): boolean {
  if (process.getuid?.() !== 0 || !commandExists("apt-get")) return false;
  console.error(`okr: ${why}; installing Debian's ${packages.join(", ")}`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  run("apt-get", ["update", "-qq"], { env });
  run("apt-get", ["install", "-y", "-qq", "--no-install-recommends", ...packages], { env });
  return true;
}

export interface DaemonSpec {
  name: string;
  command: string;
  args: string[];
  logFile: string;
  pidFile: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** What the daemon is called in errors, when it is up, and how long it may take to get there. */
  ready: { what: string; probe: () => Promise<boolean>; timeoutMs: number };
}

/**
 * Where a native daemon of this project keeps its files under the cache: its data in `<name>/`, with its
 * pid file, and its log in `logs/<name>.log` (startDaemon makes both folders).
 */
export function daemonFiles(cacheDir: string, name: string) {
  const home = join(cacheDir, name);
  return { home, logFile: join(cacheDir, "logs", `${name}.log`), pidFile: join(home, `${name}.pid`) };
}

/**
 * Starts a long-running process detached from this one, logging to a file and recording its pid, and
 * waits until it is ready (an error with its log's tail when it exits or times out first).
 */
export async function startDaemon(spec: DaemonSpec): Promise<void> {
  mkdirSync(dirname(spec.logFile), { recursive: true });
  mkdirSync(dirname(spec.pidFile), { recursive: true });
  const log = openSync(spec.logFile, "a");
  const child = spawn(spec.command, spec.args, {
    cwd: spec.cwd,
    env: spec.env ?? process.env,
    detached: true,
    stdio: ["ignore", log, log],
  });
  closeSync(log);
  if (child.pid === undefined) throw new Error(`could not start ${spec.name}: ${spec.command}`);
  child.unref();
  writeFileSync(spec.pidFile, String(child.pid));
  const { what, probe, timeoutMs } = spec.ready;
  await waitUntil(what, probe, { timeoutMs, logFile: spec.logFile, pid: child.pid });
}

export function readPid(pidFile: string): number | undefined {
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, "utf8").trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM, then SIGKILL after the grace period; removes the pid file. */
export async function stopDaemon(pidFile: string, graceMs = 20_000): Promise<boolean> {
  const pid = readPid(pidFile);
  if (pid === undefined || !isAlive(pid)) {
    rmSync(pidFile, { force: true });
    return false;
  }
  process.kill(pid, "SIGTERM");
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(100);
  if (isAlive(pid)) process.kill(pid, "SIGKILL");
  rmSync(pidFile, { force: true });
  return true;
}

export function portAnswers(port: number, host = "127.0.0.1", timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

/** Polls `probe` until it resolves true; on timeout throws with the tail of the component's log. */
export async function waitUntil(
  what: string,
  probe: () => Promise<boolean>,
  options: { timeoutMs: number; logFile?: string; pid?: number },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return;
    if (options.pid !== undefined && !isAlive(options.pid)) break;
    await sleep(250);
  }
  const tail =
    options.logFile && existsSync(options.logFile)
      ? `\n--- last lines of ${options.logFile} ---\n${readFileSync(options.logFile, "utf8").split("\n").slice(-25).join("\n")}`
      : "";
  const reason =
    options.pid !== undefined && !isAlive(options.pid) ? "exited" : `not ready after ${options.timeoutMs} ms`;
  throw new Error(`${what} ${reason}${tail}`);
}

export function cachePath(cacheDir: string, ...parts: string[]): string {
  return join(cacheDir, ...parts);
}
