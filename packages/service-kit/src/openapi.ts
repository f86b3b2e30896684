import type { FastifyInstance, FastifySchema, preValidationHookHandler, RouteOptions } from "fastify";
import { Type } from "typebox";

declare module "fastify" {
  interface FastifyContextConfig {
    /** The route takes a missing body as an empty object (callers may POST without one). */
    optionalBody?: boolean;
    /**
     * The route creates a resource and answers with its `id`, which is the last path parameter of this
     * path (e.g. "/steps/:id") and of every path below it: the document links the success answer to
     * each of those operations (OpenAPI links, which a stateful fuzzer follows). Several resources: a
     * path for each, with the JSON pointer of the answer that holds its id (`{ "/maps/:id": "/mapId" }`).
     */
    creates?: string | Record<string, string>;
    /**
     * Body fields that take the id another route creates: `{ familyId: "POST /product-families" }` links
     * that route's success answer (its `id`) into this route's body.
     */
    bodyIdsFrom?: Record<string, string>;
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

/** The responses of a route that answers 204 with no body, and the problems it gives besides. */
export const noContent = (...statuses: number[]) => ({ 204: Type.Null(), ...problems(...statuses) });

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
  const creators: { method: string; path: string; target: string; pointer: string }[] = [];
  const consumers: { method: string; path: string; field: string; source: string }[] = [];
  app.addHook("onRoute", (route) => {
    if (route.config?.optionalBody) {
      const emptyBody: preValidationHookHandler = async (request) => {
        request.body ??= {};
      };
      route.preValidation = [emptyBody, ...[route.preValidation ?? []].flat()];
      // The body may be left out only where an empty one is valid: one with required fields stays required.
      const required = (route.schema?.body as { required?: unknown[] } | undefined)?.required ?? [];
      if (required.length === 0)
        for (const method of [route.method].flat())
          optionalBodies.add(`${method.toLowerCase()} ${openapiPath(route.url)}`);
    }
    const creates = route.config?.creates;
    const targets = typeof creates === "string" ? { [creates]: "/id" } : (creates ?? {});
    for (const method of [route.method].flat()) {
      const operation = { method: method.toLowerCase(), path: openapiPath(route.url) };
      for (const [target, pointer] of Object.entries(targets))
        creators.push({ ...operation, target: openapiPath(target), pointer });
      for (const [field, source] of Object.entries(route.config?.bodyIdsFrom ?? {}))
        consumers.push({ ...operation, field, source: openapiPath(source) });
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
    markOptionalBodies<D extends { paths?: Record<string, Record<string, OperationObject>> }>(
      document: D,
    ): D {
      for (const [path, operations] of Object.entries(document.paths ?? {}))
        for (const [method, operation] of Object.entries(operations))
          if (operation.requestBody && optionalBodies.has(`${method} ${path}`))
            operation.requestBody.required = false;
      return document;
    },
    /** Links each `creates` route's success answer to the operations its new `id` addresses. */
    linkCreatedResources<D extends { paths?: Record<string, Record<string, OperationObject>> }>(
      document: D,
    ): D {
      const paths = document.paths ?? {};
      /** The success answer of an operation, where its links go. */
      const successOf = (method: string, path: string) => {
        const responses = paths[path]?.[method]?.responses ?? {};
        const status = Object.keys(responses).find((code) => /^2\d\d$/.test(code));
        if (!status) return undefined;
        const response = responses[status] as { links?: Record<string, unknown> };
        response.links ??= {};
        return response.links;
      };
      const ref = (method: string, path: string) =>
        `#/paths/${path.replaceAll("~", "~0").replaceAll("/", "~1")}/${method}`;
      for (const creator of creators) {
        const parameter = [...creator.target.matchAll(/\{([^}]+)\}/g)].at(-1)?.[1];
        const links = successOf(creator.method, creator.path);
        if (!links || !parameter) continue;
        for (const [path, operations] of Object.entries(paths)) {
          if (path !== creator.target && !path.startsWith(`${creator.target}/`)) continue;
          for (const method of Object.keys(operations)) {
            if (!HTTP_METHODS.has(method) || (path === creator.path && method === creator.method)) continue;
            links[linkName(method, path)] = {
              operationRef: ref(method, path),
              parameters: { [parameter]: `$response.body#${creator.pointer}` },
            };
          }
        }
      }
      for (const consumer of consumers) {
        const [method = "", path = ""] = consumer.source.split(" ");
        const links = successOf(method.toLowerCase(), path);
        if (!links) continue;
        links[`${linkName(consumer.method, consumer.path)}-${consumer.field}`] = {
          operationRef: ref(consumer.method, consumer.path),
          requestBody: { [consumer.field]: "$response.body#/id" },
        };
      }
      // An answer that links nowhere carries no empty `links`.
      for (const operations of Object.values(paths))
        for (const operation of Object.values(operations))
          for (const response of Object.values(operation.responses ?? {}) as { links?: object }[])
            if (response.links && Object.keys(response.links).length === 0) delete response.links;
      return document;
    },
  };
}

type OperationObject = { requestBody?: { required?: boolean }; responses?: Record<string, unknown> };

const HTTP_METHODS = new Set(["get", "put", "post", "delete", "patch"]);

/** `/streams/:id/maps` as OpenAPI writes it: `/streams/{id}/maps`. */
const openapiPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, "{$1}");

/** A link name OpenAPI accepts (`[A-Za-z0-9._-]+`), from the operation it leads to: `patch-steps-id`. */
const linkName = (method: string, path: string) =>
  [method, ...path.split("/").map((segment) => segment.replace(/[^A-Za-z0-9._-]/g, ""))]
    .filter(Boolean)
    .join("-");

/** `/streams/:id/map.svg` as a regular expression over request paths. */
function pathPattern(url: string): RegExp {
  const source = url
    .split("/")
    .map((segment) => segment.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/:[A-Za-z0-9_]+/g, "[^/]+"))
    .join("/");
  return new RegExp(`^${source}$`);
}
