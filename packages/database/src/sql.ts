import type pg from "pg";

/**
 * One statement: its text, its values ($1, $2, ...) and optionally a name under which pg prepares it
 * once per connection (the hot paths name theirs; Prisma ignores the name).
 */
export interface SqlStatement {
  text: string;
  values?: unknown[];
  name?: string;
}

export interface SqlResult<R> {
  rows: R[];
  /** Rows the statement touched (pg); through `prismaRunner`, the rows it returned. */
  rowCount: number | null;
}

/**
 * The one port for "runs SQL": query text (or a statement) and values in, rows and a row count out. A pg
 * Pool, PoolClient or Client is one as it stands, so repositories on the hot paths run through it with no
 * wrapper; a Prisma transaction client becomes one through `prismaRunner`. Code that writes in the
 * caller's transaction (the outbox, the consumers' processed-events record, idempotency keys,
 * repositories) takes a SqlRunner and leaves the choice of driver to its caller.
 */
export interface SqlRunner {
  // biome-ignore lint/suspicious/noExplicitAny: rows are typed by the caller, as pg's own query is
  query<R extends Record<string, any> = any>(
    statement: string | SqlStatement,
    values?: unknown[],
  ): Promise<SqlResult<R>>;
}

/** A pg pool or client, named as the port it already is (no wrapper: its own `query` runs each statement). */
export function pgRunner(client: pg.Pool | pg.ClientBase): SqlRunner {
  return client;
}

/** What `prismaRunner` needs of a Prisma client or interactive-transaction client. */
export interface PrismaRawClient {
  // biome-ignore lint/suspicious/noExplicitAny: Prisma's own signature
  $queryRawUnsafe<T = unknown>(query: string, ...values: any[]): PromiseLike<T>;
}

/**
 * A Prisma transaction client as a SqlRunner, so code written against the port joins a transaction
 * Prisma opened. Rows come as Prisma types them, and `rowCount` counts the rows returned: a write whose
 * count matters says `returning`.
 */
export function prismaRunner(tx: PrismaRawClient): SqlRunner {
  return {
    async query<R>(statement: string | SqlStatement, values?: unknown[]) {
      const text = typeof statement === "string" ? statement : statement.text;
      const params = (typeof statement === "string" ? values : (statement.values ?? values)) ?? [];
      const rows = await tx.$queryRawUnsafe<R[]>(text, ...params);
      return { rows, rowCount: rows.length };
    },
  };
}
