import { execFile, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { NATIVE_POSTGRES, nativePostgresUrl } from "@okr/endpoints";
import pg from "pg";
import { commandExists, MissingPrerequisiteError, run, waitUntil } from "./processes.ts";

export { NATIVE_POSTGRES, nativePostgresUrl };

const isRoot = process.getuid?.() === 0;

/** Finds the server binaries (Debian keeps them off PATH); installs Debian's package as root if absent. */
function postgresBinDir(): string {
  const found = findBinDir();
  if (found) return found;
  if (isRoot && commandExists("apt-get")) {
    console.error("okr: PostgreSQL not found; installing Debian's postgresql package");
    run("apt-get", ["update", "-qq"]);
    run("apt-get", ["install", "-y", "-qq", "--no-install-recommends", "postgresql"], {
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    });
    const installed = findBinDir();
    if (installed) return installed;
  }
  throw new MissingPrerequisiteError(
    "PostgreSQL server binaries (initdb, pg_ctl, postgres) were not found. Install PostgreSQL (Debian: apt-get install postgresql), " +
      "or run with a Docker engine, or set GOALS_DATABASE_URL (the other service databases default to its server).",
  );
}

function findBinDir(): string | undefined {
  const fromPgConfig = spawnSync("pg_config", ["--bindir"], { encoding: "utf8" });
  const candidates = [
    fromPgConfig.status === 0 ? fromPgConfig.stdout.trim() : "",
    ...(existsSync("/usr/lib/postgresql")
      ? readdirSync("/usr/lib/postgresql")
          .sort((a, b) => Number(b) - Number(a))
          .map((version) => `/usr/lib/postgresql/${version}/bin`)
      : []),
  ];
  const onPath = spawnSync("sh", ["-c", 'dirname "$(command -v initdb)"'], { encoding: "utf8" });
  if (onPath.status === 0) candidates.push(onPath.stdout.trim());
  return candidates.find((dir) => dir && existsSync(join(dir, "initdb")) && existsSync(join(dir, "pg_ctl")));
}

/** Postgres refuses to run as root: as root, run its tools as the `postgres` system user. */
function asServerUser(command: string, args: string[]): [string, string[]] {
  return isRoot ? ["runuser", ["-u", "postgres", "--", command, ...args]] : [command, args];
}

function runAsServerUser(command: string, args: string[]): string {
  const [cmd, argv] = asServerUser(command, args);
  return run(cmd, argv);
}

export async function postgresIsReady(url = nativePostgresUrl("postgres")): Promise<boolean> {
  const client = new pg.Client({
    connectionString: url,
    // Generous: on a loaded machine a false "not ready" would start a second cluster on the same port.
    connectionTimeoutMillis: 5000,
  });
  try {
    await client.connect();
    await client.query("select 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/** One native cluster: the shared development server, or a private one a fault test may restart. */
export interface PostgresCluster {
  port: number;
  /** Holds `data/`, the password file and the Unix socket. */
  root: string;
  logFile: string;
  /** Server settings beyond port, address and socket directory (`-c name=value`). */
  settings: Record<string, string | number>;
}

const dataDirOf = (cluster: PostgresCluster) => join(cluster.root, "data");

/** Initialises the cluster once (superuser okr, password auth over TCP) and starts it; waits until it answers. */
export async function startCluster(cluster: PostgresCluster): Promise<void> {
  const binDir = postgresBinDir();
  const { root, logFile } = cluster;
  const dataDir = dataDirOf(cluster);
  mkdirSync(dirname(logFile), { recursive: true });
  mkdirSync(root, { recursive: true });
  if (isRoot) {
    run("chown", ["-R", "postgres", root]);
    writeFileSync(logFile, "", { flag: "a" });
    run("chown", ["postgres", logFile]);
  }
  if (!existsSync(join(dataDir, "PG_VERSION"))) {
    const pwFile = join(root, "pwfile");
    writeFileSync(pwFile, `${NATIVE_POSTGRES.password}\n`);
    if (isRoot) run("chown", ["postgres", pwFile]);
    runAsServerUser(join(binDir, "initdb"), [
      "-D",
      dataDir,
      "-U",
      NATIVE_POSTGRES.user,
      `--pwfile=${pwFile}`,
      "--auth-local=trust",
      "--auth-host=scram-sha-256",
      "--encoding=UTF8",
      "--locale=C",
    ]);
  }
  const serverOptions = [
    `-p ${cluster.port}`,
    "-c listen_addresses=127.0.0.1",
    `-k ${root}`,
    ...Object.entries(cluster.settings).map(([name, value]) => `-c ${name}=${value}`),
  ].join(" ");
  // -l always: without it the server inherits pg_ctl's output pipes and the call never returns.
  runAsServerUser(join(binDir, "pg_ctl"), [
    "-D",
    dataDir,
    "-l",
    logFile,
    "-o",
    serverOptions,
    "-w",
    "-t",
    "60",
    "start",
  ]);
  const url = `postgresql://${NATIVE_POSTGRES.user}:${NATIVE_POSTGRES.password}@127.0.0.1:${cluster.port}/postgres`;
  await waitUntil("PostgreSQL", () => postgresIsReady(url), { timeoutMs: 60_000, logFile });
}

/**
 * Stops a running cluster: `fast` disconnects clients and shuts down cleanly, `immediate` kills the
 * server the way a crash would (crash recovery on the next start). False if it was not running.
 */
export function stopCluster(cluster: PostgresCluster, mode: "fast" | "immediate" = "fast"): boolean {
  const dataDir = dataDirOf(cluster);
  if (!existsSync(join(dataDir, "postmaster.pid"))) return false;
  runAsServerUser(join(postgresBinDir(), "pg_ctl"), ["-D", dataDir, "-m", mode, "-w", "stop"]);
  return true;
}

/**
 * `pg_ctl restart` with the options the cluster was started with; resolves once it accepts connections.
 * Asynchronous, so the caller's own clients keep running (and failing, and retrying) meanwhile.
 */
export async function restartCluster(cluster: PostgresCluster, mode: "fast" | "immediate"): Promise<void> {
  const [command, args] = asServerUser(join(postgresBinDir(), "pg_ctl"), [
    "-D",
    dataDirOf(cluster),
    "-l",
    cluster.logFile,
    "-m",
    mode,
    "-w",
    "-t",
    "60",
    "restart",
  ]);
  await promisify(execFile)(command, args);
}

const sharedCluster = (cacheDir: string): PostgresCluster => ({
  port: NATIVE_POSTGRES.port,
  root: join(cacheDir, "postgres"),
  logFile: join(cacheDir, "logs", "postgres.log"),
  settings: { max_connections: 300, shared_buffers: "256MB" },
});

/** Initialises (once) and starts the cluster under the cache directory; returns true if it started it. */
export async function ensurePostgres(cacheDir: string): Promise<boolean> {
  if (await postgresIsReady()) return false;
  mkdirSync(cacheDir, { recursive: true });
  if (isRoot) chmodSync(cacheDir, 0o755);
  await startCluster(sharedCluster(cacheDir));
  return true;
}

export function stopPostgres(cacheDir: string): boolean {
  return stopCluster(sharedCluster(cacheDir));
}
