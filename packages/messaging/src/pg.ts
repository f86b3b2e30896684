import type pg from "pg";
import type { SqlExecutor } from "./outbox.ts";

/** A pg client as a SqlExecutor, for code that works on pg directly rather than through Prisma. */
export function pgExecutor(client: pg.ClientBase): SqlExecutor {
  return {
    $executeRawUnsafe: async (query: string, ...values: unknown[]) =>
      (await client.query(query, values)).rowCount ?? 0,
    $queryRawUnsafe: async <T>(query: string, ...values: unknown[]) =>
      (await client.query(query, values)).rows as T[],
  };
}

/** Runs `work` in one transaction on a pooled connection. */
export async function pgTransaction<T>(
  pool: pg.Pool,
  work: (tx: SqlExecutor & { client: pg.PoolClient }) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query("begin");
    const result = await work({ ...pgExecutor(client), client });
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
