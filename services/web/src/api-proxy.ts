import { Problem } from "@okr/service-kit";
import type { FastifyInstance } from "fastify";
import type { SessionGuard } from "./session-guard.ts";

/** The request headers an API call carries on; cookies and the browser's other headers stay here. */
const FORWARDED_REQUEST = ["accept", "content-type", "idempotency-key", "if-match", "x-request-id"];
/** The answer headers the browser gets back (problem+json bodies pass through unchanged). */
const FORWARDED_RESPONSE = [
  "content-type",
  "content-disposition",
  "retry-after",
  "idempotent-replayed",
  "x-ratelimit-limit",
  "x-ratelimit-remaining",
  "x-ratelimit-reset",
];

/**
 * An answer is data, never a document of this origin: a value-stream map (SVG) or any other body opened
 * on its own runs no script and loads nothing; pages show the maps through <img>, where no script runs.
 */
const ANSWER_POLICY = "default-src 'none'; sandbox";

/** Seconds the browser is asked to wait when a service cannot be reached. */
const UNREACHABLE_RETRY_AFTER_SECONDS = 2;

export interface Upstream {
  /** The first path segment under /api that selects this service; "" is the default (goals). */
  prefix: string;
  baseUrl: string;
}

/**
 * /api/* goes to the platform's services with the session's access token: the path after /api (minus
 * a service prefix when one matches) and the query as sent, the status and body as answered.
 */
export function registerApiProxy(app: FastifyInstance, guard: SessionGuard, upstreams: Upstream[]): void {
  const byPrefix = new Map(upstreams.map((upstream) => [upstream.prefix, upstream.baseUrl]));
  const target = (rest: string) => {
    const [first = ""] = rest.split(/[/?]/, 1);
    const prefixed = first !== "" && byPrefix.has(first);
    const baseUrl = byPrefix.get(prefixed ? first : "");
    if (!baseUrl) throw new Problem(404, "not-found", "Not found", `no service answers /api/${rest}`);
    return `${baseUrl.replace(/\/$/, "")}/${prefixed ? rest.slice(first.length + 1) : rest}`;
  };

  app.register(async (api) => {
    // Bodies pass through as bytes: the service validates them, this app does not reinterpret them.
    api.removeAllContentTypeParsers();
    api.addContentTypeParser("*", { parseAs: "buffer" }, (_request, body, done) => done(null, body));

    api.all("/api/*", async (request, reply) => {
      const session = guard.require(request);
      const url = target(request.url.slice("/api/".length));
      const token = await guard.accessToken(session, reply);
      const headers: Record<string, string> = { authorization: `Bearer ${token}` };
      for (const name of FORWARDED_REQUEST) {
        const value = request.headers[name];
        if (typeof value === "string") headers[name] = value;
      }
      let answer: Response;
      try {
        answer = await fetch(url, {
          method: request.method,
          headers,
          ...(request.body instanceof Buffer && request.body.length > 0 ? { body: request.body } : {}),
          redirect: "manual",
        });
      } catch (error) {
        request.log.warn({ err: error, url }, "service unreachable");
        reply.header("retry-after", String(UNREACHABLE_RETRY_AFTER_SECONDS));
        throw new Problem(503, "service-unavailable", "Service unavailable", "the service did not answer");
      }
      reply.status(answer.status);
      for (const name of FORWARDED_RESPONSE) {
        const value = answer.headers.get(name);
        if (value !== null) reply.header(name, value);
      }
      reply.header("cache-control", "no-store");
      reply.header("content-security-policy", ANSWER_POLICY);
      reply.header("x-content-type-options", "nosniff");
      return reply.send(Buffer.from(await answer.arrayBuffer()));
    });
  });
}
