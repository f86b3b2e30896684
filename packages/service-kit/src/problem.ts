import { isDatabaseUnavailable, isRetryableConflict } from "@okr/database";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

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

/**
 * Every error leaves as problem+json; a 5xx never leaks internals to the client. A database that is
 * briefly unreachable (restart, failover, full connection table) is a 503 with Retry-After: the request
 * was fine and the same one succeeds shortly, so it is not reported as the server's failure (500).
 */
export function registerProblemHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | Problem, request, reply) => {
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
      return send(reply, request, {
        type: problemType("validation"),
        title: "The request does not match the schema",
        status: 400,
        detail: `${error.validationContext ?? "request"} ${error.message.replace(/^(body|querystring|params|headers)\s*/, "")}`,
        errors: error.validation.map((issue) => ({
          in: error.validationContext,
          path: issue.instancePath || "/",
          message: issue.message,
          ...(issue.params && "missingProperty" in issue.params
            ? { missing: issue.params.missingProperty }
            : {}),
        })),
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
    // Fastify's own client errors (malformed JSON, body too large, unsupported media type...).
    return send(reply, request, {
      type: problemType(
        error.code
          ?.toLowerCase()
          .replace(/^fst_err_/, "")
          .replaceAll("_", "-") ?? "client-error",
      ),
      title: "The request could not be processed",
      status,
      detail: error.message,
    });
  });
  app.setNotFoundHandler((request, reply) =>
    send(reply, request, {
      type: problemType("route-not-found"),
      title: "Not found",
      status: 404,
      detail: `no route ${request.method} ${request.url.split("?")[0]}`,
    }),
  );
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
