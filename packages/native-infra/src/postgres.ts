import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
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
      "or run with a Docker engine, or set GOALS_DATABASE_URL, VALUE_STREAM_DATABASE_URL and SCORING_DATABASE_URL.",
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

export async function postgresIsReady(): Promise<boolean> {
  const client = new pg.Client({
    connectionString: nativePostgresUrl("postgres"),
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

/** Initialises (once) and starts the cluster under the cache directory; returns true if it started it. */
export async function ensurePostgres(cacheDir: string): Promise<boolean> {
  if (await postgresIsReady()) return false;
  const binDir = postgresBinDir();
  const root = join(cacheDir, "postgres");
  const dataDir = join(root, "data");
  const logFile = join(cacheDir, "logs", "postgres.log");
  mkdirSync(join(cacheDir, "logs"), { recursive: true });
  mkdirSync(root, { recursive: true });
  if (isRoot) {
    run("chown", ["-R", "postgres", root]);
    chmodSync(cacheDir, 0o755);
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
    `-p ${NATIVE_POSTGRES.port}`,
    "-c listen_addresses=127.0.0.1",
    `-k ${root}`,
    "-c max_connections=300",
    "-c shared_buffers=256MB",
  ].join(" ");
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
  await waitUntil("PostgreSQL", postgresIsReady, { timeoutMs: 60_000, logFile });
  return true;
}

export function stopPostgres(cacheDir: string): boolean {
  const dataDir = join(cacheDir, "postgres", "data");
  if (!existsSync(join(dataDir, "postmaster.pid"))) return false;
  const binDir = postgresBinDir();
  runAsServerUser(join(binDir, "pg_ctl"), ["-D", dataDir, "-m", "fast", "-w", "stop"]);
  return true;
}
