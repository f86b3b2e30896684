import { Ajv, type Options } from "ajv";
import addFormats from "ajv-formats";
import type { FastifyInstance, FastifySchema, FastifySchemaCompiler } from "fastify";

const shared: Options = { allErrors: true, useDefaults: true, removeAdditional: false, strict: false };

/**
 * JSON bodies are validated as sent: a number where a string belongs is a 400, never silently "5".
 * Path, query and header values arrive as strings, so there (only) types are coerced.
 */
export function createValidatorCompiler(): FastifySchemaCompiler<unknown> {
  const strict = addFormats.default(new Ajv({ ...shared, coerceTypes: false }));
  const coercing = addFormats.default(new Ajv({ ...shared, coerceTypes: "array" }));
  return ({ schema, httpPart }) => (httpPart === "body" ? strict : coercing).compile(schema as object);
}

const NO_QUERY = { type: "object", properties: {}, additionalProperties: false } as const;

/**
 * A query parameter a route does not declare is a 400, on every service alike: a route without a
 * querystring schema takes none, and a declared object schema admits only its own properties unless it
 * says otherwise. (A mistyped `?cycleld=` then fails loudly instead of being ignored.) Hidden routes
 * (health probes) and the docs are left as they are.
 */
export function registerClosedQueries(app: FastifyInstance): void {
  app.addHook("onRoute", (route) => {
    const schema = route.schema as (FastifySchema & { hide?: boolean }) | undefined;
    if (!schema || schema.hide || route.url.startsWith("/docs")) return;
    const query = schema.querystring as { type?: unknown; additionalProperties?: unknown } | undefined;
    if (query === undefined) route.schema = { ...schema, querystring: NO_QUERY };
    else if (query.type === "object" && query.additionalProperties === undefined)
      route.schema = { ...schema, querystring: { ...query, additionalProperties: false } };
  });
}
