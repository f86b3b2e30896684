import { rmSync } from "node:fs";
import { join } from "node:path";
import { cacheDir, NATIVE_POSTGRES } from "@okr/endpoints";
import { freePortsBelowEphemeralRange } from "./ports.ts";
import { type PostgresCluster, restartCluster, startCluster, stopCluster } from "./postgres.ts";

export interface PrivatePostgres {
  /** The URL of `database` on this server (`postgres` is the maintenance database). */
  url(database: string): string;
  /** `pg_ctl restart`: `immediate` drops every connection the way a crash would; resolves once it is back. */
  restart(options: { mode: "immediate" | "fast" }): Promise<void>;
  /** Stops the server and deletes its data directory. */
  stop(): Promise<void>;
}

/**
 * A Postgres server of this test's own (a second native cluster on its own port, under the cache
 * directory), so a fault test can restart it without disturbing tests that share the platform server.
 * It starts from an empty data directory on every run and keeps its port across restarts.
 */
export async function startPrivatePostgres(name: string): Promise<PrivatePostgres> {
  const [port] = (await freePortsBelowEphemeralRange(1, 28_100)) as [number];
  const root = join(cacheDir(), "postgres-private", name);
  const cluster: PostgresCluster = {
    port,
    root,
    logFile: join(root, "postgres.log"),
    // A throwaway cluster: fsync off spares the shared disk. An immediate restart is a server crash, not
    // an OS crash, so committed data still survives it.
    settings: { max_connections: 200, shared_buffers: "32MB", fsync: "off" },
  };
  stopCluster(cluster, "immediate"); // a server a killed run left behind
  rmSync(root, { recursive: true, force: true });
  await startCluster(cluster);
  const { user, password, host } = NATIVE_POSTGRES;
  return {
    url: (database) => `postgresql://${user}:${password}@${host}:${port}/${database}`,
    restart: ({ mode }) => restartCluster(cluster, mode),
    stop: async () => {
      stopCluster(cluster, "immediate");
      rmSync(root, { recursive: true, force: true });
    },
  };
}
