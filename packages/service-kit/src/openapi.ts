import type { FastifyInstance, FastifySchema, preValidationHookHandler, RouteOptions } from "fastify";

declare module "fastify" {
  interface FastifyContextConfig {
    /** The route takes a missing body as an empty object (callers may POST without one). */
    optionalBody?: boolean;
  }
}

export const PROBLEM_MEDIA_TYPE = "application/problem+json";

const DESCRIPTIONS: Record<number, string> = {
  400: "The request does not match the schema (or is malformed)",
  401: "No valid bearer token",
  403: "The token's roles do not allow this",
  404: "The resource does not exist (in this tenant)",
  405: "The path does not have this method",
  409: "Conflicts with the resource's current state (or an Idempotency-Key still in flight)",
  413: "The body is larger than the service accepts",
  414: "A path parameter is longer than the service accepts",
  415: "The body is not JSON",
  422: "The request is well-formed but breaks a rule",
  429: "Too many requests",
  503: "A dependency (database, workflow engine) is unavailable; retry later",
};

/** A problem+json response for a route's `response` schema, as the error handler sends it. */
export const problemResponse = (status: number) => ({
  description: DESCRIPTIONS[status] ?? "A problem",
  content: { [PROBLEM_MEDIA_TYPE]: { schema: { $ref: "Problem#" } } },
});

/** Problem responses a route gives on top of those every route gets from the app (see below). */
export const problems = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((status) => [status, problemResponse(status)])) as Record<
    number,
    ReturnType<typeof problemResponse>
  >;

const BODY_METHODS = new Set(["POST", "PUT", "PATCH"]);

/**
 * Which problems a route may answer whatever its handler does, so the OpenAPI document (and the
 * serializer) know them: 400 where there is input to validate, 401 behind the token check, 404 and 414
 * where the path names a resource, 413 and 415 where a body is parsed, 409 and 422 for Idempotency-Key
 * on POSTs, 429 and 503 anywhere behind the token check (rate limit, an unreachable dependency).
 */
function sharedStatuses(route: RouteOptions, schema: FastifySchema, idempotency: boolean): number[] {
  const methods = [route.method].flat().map((m) => m.toUpperCase());
  const takesBody = methods.some((m) => BODY_METHODS.has(m)) || schema.body !== undefined;
  const hasParams = route.url.includes(":") || schema.params !== undefined;
  const hasInput = takesBody || hasParams || schema.querystring !== undefined || schema.headers !== undefined;
  const statuses = route.config?.public ? [] : [401, 429, 503];
  if (hasInput) statuses.push(400);
  if (hasParams) statuses.push(404, 414);
  if (takesBody) statuses.push(413, 415);
  if (idempotency && methods.includes("POST")) statuses.push(409, 422);
  return statuses;
}

const isProblemRef = (value: unknown) =>
  typeof value === "object" && value !== null && (value as { $ref?: unknown }).$ref === "Problem#";

/**
 * A query parameter with a default is never required of the client (validation fills it in), whatever
 * the TypeBox type says: the document lists it as optional.
 */
function withOptionalDefaults(querystring: unknown): unknown {
  const schema = querystring as { properties?: Record<string, { default?: unknown }>; required?: string[] };
  if (!schema?.properties || !Array.isArray(schema.required)) return querystring;
  const required = schema.required.filter((name) => schema.properties?.[name]?.default === undefined);
  if (required.length === schema.required.length) return querystring;
  return { ...schema, required };
}

/**
 * Makes every route's documented responses truthful: a route's own `{ $ref: "Problem#" }` responses
 * become problem+json (the content type they are sent with), and the problems the app itself may answer
 * are added. Records each route's path pattern, so an unknown method on a known path is a 405 with
 * `Allow`. Register before any route.
 */
export function documentSharedResponses(app: FastifyInstance, options: { idempotency: boolean }) {
  const routes: { pattern: RegExp; methods: string[] }[] = [];
  const optionalBodies = new Set<string>();
  app.addHook("onRoute", (route) => {
    if (route.config?.optionalBody) {
      const emptyBody: preValidationHookHandler = async (request) => {
        request.body ??= {};
      };
      route.preValidation = [emptyBody, ...[route.preValidation ?? []].flat()];
      for (const method of [route.method].flat())
        optionalBodies.add(`${method.toLowerCase()} ${route.url.replace(/:([A-Za-z0-9_]+)/g, "{$1}")}`);
    }
    // A catch-all route (a CORS preflight on `*`, static files) does not make every path known.
    if (!route.url.includes("*")) {
      const methods = [route.method].flat().map((m) => m.toUpperCase());
      const pattern = pathPattern(route.url);
      const known = routes.find((r) => r.pattern.source === pattern.source);
      if (known) known.methods.push(...methods.filter((m) => !known.methods.includes(m)));
      else routes.push({ pattern, methods });
    }

    const schema = (route.schema ?? {}) as FastifySchema & { hide?: boolean };
    if (schema.hide || route.url.startsWith("/docs")) return;
    const response: Record<string, unknown> = {};
    for (const status of sharedStatuses(route, schema, options.idempotency))
      response[status] = problemResponse(status);
    for (const [status, declared] of Object.entries((schema.response ?? {}) as Record<string, unknown>))
      response[status] =
        Number(status) >= 400 && isProblemRef(declared) ? problemResponse(Number(status)) : declared;
    route.schema = {
      ...schema,
      response,
      ...(schema.querystring ? { querystring: withOptionalDefaults(schema.querystring) } : {}),
    };
  });
  return {
    allowedMethods: (path: string) =>
      routes.filter((route) => route.pattern.test(path)).flatMap((route) => route.methods),
    /** @fastify/swagger marks every body required; a route with `optionalBody` says otherwise. */
    markOptionalBodies(document: {
      paths?: Record<string, Record<string, { requestBody?: { required?: boolean } }>>;
    }) {
      for (const [path, operations] of Object.entries(document.paths ?? {}))
        for (const [method, operation] of Object.entries(operations))
          if (operation.requestBody && optionalBodies.has(`${method} ${path}`))
            operation.requestBody.required = false;
      return document;
    },
  };
}

/** `/streams/:id/map.svg` as a regular expression over request paths. */
function pathPattern(url: string): RegExp {
  const source = url
    .split("/")
    .map((segment) => segment.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/:[A-Za-z0-9_]+/g, "[^/]+"))
    .join("/");
  return new RegExp(`^${source}$`);
}
