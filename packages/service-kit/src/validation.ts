import { Ajv, type Options } from "ajv";
import addFormats from "ajv-formats";
import type { FastifySchemaCompiler } from "fastify";

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
