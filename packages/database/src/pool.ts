import pg from "pg";

export interface PoolOptions {
  connectionString: string;
  /** Sized explicitly: the sum over replicas must stay below the server's max_connections. */
  max: number;
  applicationName: string;
}

export function createPool(options: PoolOptions): pg.Pool {
  return new pg.Pool({
    connectionString: options.connectionString,
    max: options.max,
    application_name: options.applicationName,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 10_000,
  });
}
