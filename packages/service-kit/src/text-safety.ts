import type { FastifyInstance, FastifyRequest } from "fastify";
import { Problem } from "./problem.ts";

/**
 * Text Postgres cannot store: a NUL character (text and jsonb refuse it, SQLSTATE 22021) or a lone
 * UTF-16 surrogate (jsonb refuses it). Both are refused at the edge as a 400 naming the field, for every
 * service, before a route's code or the database sees them.
 *
 * In a JSON body either can only be written as a `\u` escape: an unescaped control character is not
 * valid JSON, and invalid UTF-8 is decoded to U+FFFD. So only a body whose raw text holds `\u` is walked.
 * In a URL only `%00` can decode to one (percent-decoding never yields a lone surrogate).
 */
const MESSAGE = "must not contain a NUL character (\\u0000) or an unpaired UTF-16 surrogate";

const isStorable = (text: string) => !text.includes("\0") && text.isWellFormed();

/** The JSON pointer of the first string (value or key) Postgres cannot store, or undefined. */
export function findUnstorableText(value: unknown, path = ""): string | undefined {
  if (typeof value === "string") return isStorable(value) ? undefined : path || "/";
  if (value === null || typeof value !== "object") return undefined;
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      const found = findUnstorableText(value[index], `${path}/${index}`);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  for (const key in value) {
    const pointer = `${path}/${key.replaceAll("~", "~0").replaceAll("/", "~1")}`;
    if (!isStorable(key)) return pointer;
    const found = findUnstorableText((value as Record<string, unknown>)[key], pointer);
    if (found !== undefined) return found;
  }
  return undefined;
}

const unstorable = (where: "body" | "params" | "querystring", path: string) =>
  new Problem(400, "validation", "The request does not match the schema", `${where} ${path} ${MESSAGE}`, {
    errors: [{ in: where, path, message: MESSAGE }],
  });

/**
 * Replaces the JSON body parser with Fastify's own (same prototype-poisoning protection) followed by
 * the text check, and checks decoded path and query values in a preValidation hook.
 */
export function registerTextSafety(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser("error", "error");
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
    parseJson(request, body as string, (error, parsed) => {
      if (error) return done(error, undefined);
      if ((body as string).includes("\\u")) {
        const path = findUnstorableText(parsed);
        if (path !== undefined) return done(unstorable("body", path), undefined);
      }
      done(null, parsed);
    });
  });
  app.addHook("preValidation", async (request: FastifyRequest) => {
    if (!request.url.includes("%00")) return;
    const inParams = findUnstorableText(request.params);
    if (inParams !== undefined) throw unstorable("params", inParams);
    const inQuery = findUnstorableText(request.query);
    if (inQuery !== undefined) throw unstorable("querystring", inQuery);
  });
}
