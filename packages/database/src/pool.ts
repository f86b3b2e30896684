import pg from "pg";

export interface PoolOptions {
  connectionString: string;
  /** Sized explicitly: the sum over replicas must stay below the server's max_connections. */
  max: number;
  applicationName: string;
  /** Told when the server ends an idle connection (restart, failover, a dropped database); default: stderr. */
  onIdleError?: (error: Error) => void;
}

export function createPool(options: PoolOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max,
    application_name: options.applicationName,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 10_000,
  });
  // node-postgres reports a lost idle connection as an "error" event: unheard, it would crash the process.
  // The pool has already dropped that client; the next query simply opens a new connection.
  pool.on(
    "error",
    options.onIdleError ??
      ((error) =>
        process.stderr.write(
          `postgres pool ${options.applicationName}: idle connection lost (${error.message}); it will reconnect\n`,
        )),
  );
  // A client the pool is closing (pool.end) is no longer its listener's: when the server ends the
  // connection first (a database dropped "with (force)"), the report lands on the client itself.
  pool.on("connect", (client) => client.on("error", () => {}));
  return pool;
}
