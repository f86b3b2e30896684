import { join } from "node:path";
import { OKR_SEARCH_ATTRIBUTES } from "@okr/cycle-workflows/search-attributes";
import { NATIVE_TEMPORAL, nativeTemporalAddress } from "@okr/endpoints";
import { daemonFiles, goInstall, portAnswers, run, startDaemon, stopDaemon } from "./processes.ts";

export { NATIVE_TEMPORAL, nativeTemporalAddress };

/** Later CLI tags carry a `replace` directive and cannot be `go install`ed. */
export const TEMPORAL_CLI_MODULE = "github.com/temporalio/cli/cmd/temporal@v1.5.1";

/** Builds the Temporal CLI (dev server + Web UI) from the Go module proxy into the cache once. */
export function ensureTemporalCli(cacheDir: string): string {
  return goInstall(cacheDir, TEMPORAL_CLI_MODULE, "temporal", "the Temporal dev server");
}

export async function temporalIsReady(cli: string, address = nativeTemporalAddress): Promise<boolean> {
  const [host, port] = address.split(":");
  if (!(await portAnswers(Number(port), host))) return false;
  try {
    return run(cli, ["operator", "cluster", "health", "--address", address]).includes("SERVING");
  } catch {
    return false;
  }
}

/** Starts the dev server with a file database, the Web UI and our search attributes; true if it started it. */
export async function ensureTemporal(cacheDir: string): Promise<boolean> {
  const cli = ensureTemporalCli(cacheDir);
  if (await temporalIsReady(cli)) {
    registerSearchAttributes(cli, nativeTemporalAddress);
    return false;
  }
  const { home, logFile, pidFile } = daemonFiles(cacheDir, "temporal");
  await startDaemon({
    name: "temporal",
    command: cli,
    args: [
      "server",
      "start-dev",
      "--ip",
      NATIVE_TEMPORAL.host,
      "--port",
      String(NATIVE_TEMPORAL.port),
      "--ui-port",
      String(NATIVE_TEMPORAL.uiPort),
      "--db-filename",
      join(home, "okr-dev.db"),
      "--namespace",
      NATIVE_TEMPORAL.namespace,
      "--log-level",
      "warn",
      ...Object.entries(OKR_SEARCH_ATTRIBUTES).flatMap(([name, type]) => [
        "--search-attribute",
        `${name}=${type}`,
      ]),
    ],
    logFile,
    pidFile,
    ready: { what: "Temporal dev server", probe: () => temporalIsReady(cli), timeoutMs: 90_000 },
  });
  return true;
}

/** For a server we did not start: add whichever of our search attributes it lacks. */
export function registerSearchAttributes(
  cli: string,
  address: string,
  namespace: string = NATIVE_TEMPORAL.namespace,
): void {
  const listed = run(cli, [
    "operator",
    "search-attribute",
    "list",
    "--address",
    address,
    "--namespace",
    namespace,
  ]);
  for (const [name, type] of Object.entries(OKR_SEARCH_ATTRIBUTES)) {
    if (listed.includes(name)) continue;
    run(cli, [
      "operator",
      "search-attribute",
      "create",
      "--address",
      address,
      "--namespace",
      namespace,
      "--name",
      name,
      "--type",
      type,
    ]);
  }
}

export async function stopTemporal(cacheDir: string): Promise<boolean> {
  return stopDaemon(daemonFiles(cacheDir, "temporal").pidFile);
}
