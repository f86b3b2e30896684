/**
 * Whether an error means the database could not be reached or dropped the connection (not listening
 * yet, starting up, a restart, a failover, a full connection table) rather than that the statement or
 * the request was wrong (bad SQL, a constraint, a missing database, a wrong password). Waiting cures
 * such a failure and it says nothing about the request or event being handled: start-up retries it,
 * routes answer 503 and consumers retry in place instead of dead-lettering.
 *
 * Recognises node-postgres errors (SQLSTATE, socket codes, its own "Connection terminated" errors) and
 * the same errors as Prisma reports them through the pg driver adapter (P-codes, the adapter's error
 * kinds, the original SQLSTATE), looking through `cause`, `meta.driverAdapterError` and AggregateError
 * (Node's one connect attempt per resolved address).
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  return someInChain(error, 0, isUnavailableItself);
}

/** Server-side SQLSTATEs: admin or crash shutdown (57P01/57P02), still starting (57P03), too many connections. */
const UNAVAILABLE_SQLSTATES = new Set(["57P01", "57P02", "57P03", "53300"]);
/** Socket errors on the way to the server. */
const SOCKET_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ECONNABORTED",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
]);
/**
 * Prisma: server unreachable (P1001), connect timeout (P1002), operation timeout (P1008), connection
 * closed (P1017), its pool timed out (P2024), too many connections (P2037).
 */
const PRISMA_CODES = new Set(["P1001", "P1002", "P1008", "P1017", "P2024", "P2037"]);
/** The Prisma driver adapter's names for the same failures. */
const ADAPTER_KINDS = new Set([
  "DatabaseNotReachable",
  "ConnectionClosed",
  "SocketTimeout",
  "TooManyConnections",
]);
/**
 * node-postgres reports a connection lost mid-query, a client used after its connection broke and a
 * connect attempt or pool that timed out by message only (no code); Prisma's interactive transaction
 * that got no connection in time shares its code (P2028) with errors of the transaction's own making.
 */
const UNAVAILABLE_MESSAGES =
  /Connection terminated|Connection ended unexpectedly|is not queryable|timeout exceeded when trying to connect|connection timeout|Unable to start a transaction in the given time|the database system is (starting up|shutting down|in recovery mode)/i;

function isUnavailableItself(error: Record<string, unknown>): boolean {
  for (const code of [error["code"], error["originalCode"]]) {
    if (typeof code !== "string") continue;
    // Class 08: connection exception.
    if (code.startsWith("08") && code.length === 5) return true;
    if (UNAVAILABLE_SQLSTATES.has(code) || SOCKET_CODES.has(code) || PRISMA_CODES.has(code)) return true;
  }
  if (typeof error["kind"] === "string" && ADAPTER_KINDS.has(error["kind"])) return true;
  for (const text of [error["message"], error["originalMessage"]]) {
    if (typeof text === "string" && UNAVAILABLE_MESSAGES.test(text)) return true;
  }
  return false;
}

/** Deep enough for every wrapping seen (Prisma over the adapter over pg, inside an AggregateError); bounded against cycles. */
const MAX_DEPTH = 16;

function someInChain(
  error: unknown,
  depth: number,
  test: (error: Record<string, unknown>) => boolean,
): boolean {
  if (depth > MAX_DEPTH || typeof error !== "object" || error === null) return false;
  const record = error as Record<string, unknown>;
  if (test(record)) return true;
  const meta = record["meta"] as Record<string, unknown> | undefined;
  const nested = [record["cause"], meta?.["driverAdapterError"]];
  if (Array.isArray(record["errors"])) nested.push(...record["errors"]);
  return nested.some((inner) => someInChain(inner, depth + 1, test));
}
