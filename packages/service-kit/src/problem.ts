import type { Socket } from "node:net";
import { isDatabaseUnavailable, isRetryableConflict } from "@okr/database";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { describeIssues, validationIssues } from "./validation-issues.ts";

/**
 * An RFC 9457 problem. Throw it from a route and the client receives
 * `application/problem+json` with this status, a stable type URI, and what to fix.
 */
export class Problem extends Error {
  override name = "Problem";
  readonly status: number;
  readonly type: string;
  readonly title: string;
  readonly extensions: Record<string, unknown>;

  constructor(
    status: number,
    code: string,
    title: string,
    detail?: string,
    extensions: Record<string, unknown> = {},
  ) {
    super(detail ?? title);
    this.status = status;
    this.type = problemType(code);
    this.title = title;
    this.extensions = extensions;
  }
}

export const problemType = (code: string) => `https://okr-platform.dev/problems/${code}`;

export const badRequest = (detail: string, extensions?: Record<string, unknown>) =>
  new Problem(400, "bad-request", "The request is not valid", detail, extensions);
export const unprocessable = (code: string, detail: string, extensions?: Record<string, unknown>) =>
  new Problem(422, code, "The request breaks a rule", detail, extensions);
export const notFound = (what: string) =>
  new Problem(404, "not-found", "Not found", `${what} does not exist`);
export const conflict = (code: string, detail: string) => new Problem(409, code, "Conflict", detail);
export const forbidden = (detail: string) => new Problem(403, "forbidden", "Forbidden", detail);

interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  [extension: string]: unknown;
}

function send(reply: FastifyReply, request: FastifyRequest, body: ProblemBody) {
  return reply
    .status(body.status)
    .type("application/problem+json; charset=utf-8")
    .send({ ...body, instance: request.url, requestId: request.id });
}

/** Seconds a client is asked to wait when the database is briefly unreachable (a restart takes a few). */
export const DATABASE_RETRY_AFTER_SECONDS = 2;

/** Fastify's own client errors (malformed JSON, body too large, unsupported media type, bad URL...). */
function clientProblem(error: FastifyError, status: number): ProblemBody {
  return {
    type: problemType(
      error.code
        ?.toLowerCase()
        .replace(/^fst_err_/, "")
        .replaceAll("_", "-") ?? "client-error",
    ),
    title: "The request could not be processed",
    status,
    detail: error.message,
  };
}

/**
 * Every error leaves as problem+json; a 5xx never leaks internals to the client. A database that is
 * briefly unreachable (restart, failover, full connection table) is a 503 with Retry-After: the request
 * was fine and the same one succeeds shortly, so it is not reported as the server's failure (500). A
 * request for a method a path does not have is a 405 naming the ones it has (`allowedMethods`), not a 404.
 */
export function registerProblemHandlers(
  app: FastifyInstance,
  allowedMethods: (path: string) => string[] = () => [],
): void {
  const routeNotFound = (request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split("?")[0] ?? "/";
    const allowed = allowedMethods(path);
    if (allowed.length > 0) {
      reply.header("allow", allowed.join(", "));
      return send(reply, request, {
        type: problemType("method-not-allowed"),
        title: "Method not allowed",
        status: 405,
        detail: `${request.method} is not allowed on ${path}; allowed: ${allowed.join(", ")}`,
      });
    }
    return send(reply, request, {
      type: problemType("route-not-found"),
      title: "Not found",
      status: 404,
      detail: `no route ${request.method} ${path}`,
    });
  };
  app.setErrorHandler((error: FastifyError | Problem, request, reply) => {
    // No route matched, and reading the request failed on the way (a QUERY without Content-Type...):
    // the answer is still that the route or method does not exist.
    if (request.is404) return routeNotFound(request, reply);
    if (error instanceof Problem) {
      return send(reply, request, {
        type: error.type,
        title: error.title,
        status: error.status,
        detail: error.message,
        ...error.extensions,
      });
    }
    if (error.validation) {
      const errors = validationIssues(error.validation, error.validationContext);
      return send(reply, request, {
        type: problemType("validation"),
        title: "The request does not match the schema",
        status: 400,
        detail: describeIssues(errors),
        errors,
      });
    }
    const status =
      error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500 && isDatabaseUnavailable(error)) {
      // Expected during a restart, one line per request: no stack (Prisma's messages span many lines).
      request.log.warn({ code: (error as { code?: unknown }).code }, "database unavailable: answered 503");
      reply.header("retry-after", String(DATABASE_RETRY_AFTER_SECONDS));
      return send(reply, request, {
        type: problemType("database-unavailable"),
        title: "Temporarily unavailable",
        status: 503,
        detail: `The database is briefly unreachable; retry in ${DATABASE_RETRY_AFTER_SECONDS} seconds.`,
      });
    }
    if (status === 500 && isRetryableConflict(error)) {
      // Only reached once the transaction's own bounded retries ran out: contention, not a bug in the request.
      request.log.warn(
        { code: (error as { code?: unknown }).code },
        "write conflict persisted: answered 503",
      );
      reply.header("retry-after", "1");
      return send(reply, request, {
        type: problemType("write-conflict"),
        title: "Temporarily unavailable",
        status: 503,
        detail: "Concurrent writes kept conflicting with this one; retry in a second.",
      });
    }
    if (status === 500) {
      request.log.error({ err: error }, "unhandled error");
      return send(reply, request, {
        type: problemType("internal"),
        title: "Internal error",
        status: 500,
        detail: "The server failed to handle the request; it has been logged with this request id.",
      });
    }
    return send(reply, request, clientProblem(error, status));
  });
  app.setNotFoundHandler(routeNotFound);
}
/**
 * Errors Fastify meets before routing (a URL that does not decode, a path parameter past its length
 * limit): problem+json like every other answer. Given to Fastify as its `frameworkErrors` option.
 */
export function frameworkErrorProblem(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const status =
    error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400;
  return send(reply, request, clientProblem(error, status));
}

/**
 * Errors Node's HTTP parser meets before Fastify has a request (headers or URL past the size limit,
 * a request that never completes): a problem+json answer written on the socket, which is then closed.
 * Given to Fastify as its `clientErrorHandler` option.
 */
export function clientErrorProblem(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === "ECONNRESET" || socket.destroyed) return;
  const [status, code, title, detail] =
    error.code === "HPE_HEADER_OVERFLOW"
      ? [
          431,
          "headers-too-large",
          "Request header fields too large",
          "the URL and headers exceed the size limit",
        ]
      : error.code === "ERR_HTTP_REQUEST_TIMEOUT"
        ? [408, "request-timeout", "Request timeout", "the request did not arrive in time"]
        : [400, "bad-request", "The request is not valid", "the request is not valid HTTP"];
  const body = JSON.stringify({ type: problemType(code), title, status, detail });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${title}\r\nContent-Type: application/problem+json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

/** The problem+json schema, for route `response` declarations in OpenAPI. */
export const ProblemSchema = {
  $id: "Problem",
  type: "object",
  description: "RFC 9457 problem details",
  properties: {
    type: { type: "string" },
    title: { type: "string" },
    status: { type: "integer" },
    detail: { type: "string" },
    instance: { type: "string" },
    requestId: { type: "string" },
    errors: {
      type: "array",
      description: "for validation problems: each failing field",
      items: { type: "object", additionalProperties: true },
    },
  },
  required: ["type", "title", "status"],
  additionalProperties: true,
} as const;
