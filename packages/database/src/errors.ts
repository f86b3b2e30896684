/** Socket-level failures: the server is not listening yet, went away, or cannot be reached for now. */
const TRANSIENT_SOCKET_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
]);

/**
 * SQLSTATEs a server sends while starting, stopping or overloaded: class 08 (connection exception),
 * 57P01-57P03 (admin/crash shutdown, cannot connect now) and 53300 (too many connections).
 */
const TRANSIENT_SQLSTATE = /^(08...|57P0[123]|53300)$/;

/**
 * Whether waiting can cure a Postgres error: the database is unreachable, starting up or restarting,
 * rather than refusing the request itself (bad SQL, a constraint, a missing database, a wrong password).
 */
export function isTransientDatabaseError(error: unknown): boolean {
  for (let current = error as { code?: unknown; message?: unknown; cause?: unknown } | undefined; current; ) {
    const code = typeof current.code === "string" ? current.code : undefined;
    if (code && (TRANSIENT_SOCKET_CODES.has(code) || TRANSIENT_SQLSTATE.test(code))) return true;
    const message = typeof current.message === "string" ? current.message : "";
    // node-postgres' own wording when the server closes the socket or a connect attempt times out.
    if (/Connection terminated|timeout exceeded when trying to connect|connection timeout/i.test(message))
      return true;
    // A Node AggregateError (one connect attempt per resolved address) carries its causes in `errors`.
    const errors = (current as { errors?: unknown[] }).errors;
    if (Array.isArray(errors) && errors.some((inner) => isTransientDatabaseError(inner))) return true;
    current = current.cause as typeof current;
  }
  return false;
}
