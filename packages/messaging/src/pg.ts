import type { SqlRunner } from "@okr/database";
import type pg from "pg";

/** pgTransaction's transaction: runs SQL on its connection, which repositories may also use as a pg client. */
export type PgTransaction = SqlRunner & { client: pg.PoolClient };

/** Runs `work` in one transaction on a pooled connection. */
export async function pgTransaction<T>(pool: pg.Pool, work: (tx: PgTransaction) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query("begin");
    // The connection's own query, bound: no wrapper between a statement and pg.
    const result = await work({ query: client.query.bind(client) as SqlRunner["query"], client });
    await client.query("commit");
    return result;
  } catch (error) {
    await client.query("rollback").catch((rollbackError: Error) => {
      broken = rollbackError;
    });
    throw error;
  } finally {
    // A connection that cannot even roll back is destroyed rather than handed to the next caller.
    client.release(broken);
  }
}
