import { existsSync } from "node:fs";
import { join } from "node:path";
import fastifyStatic from "@fastify/static";
import { Problem } from "@okr/service-kit";
import type { FastifyInstance } from "fastify";

/**
 * The browser app's pages may load only this app's own scripts, styles and images and talk only to this
 * app (the BFF): no inline script, no third party, no framing.
 */
const PAGE_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

const SECURITY_HEADERS = {
  "content-security-policy": PAGE_POLICY,
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "same-origin",
  "cross-origin-opener-policy": "same-origin",
};

/** Paths the server answers itself; anything else the app's router resolves (index.html). */
const SERVER_PATHS = /^\/(api|auth)(\/|$)|^\/(healthz|readyz)$/;

/**
 * Serves the app Vite built (`dist/`): hashed assets for a year, index.html for every page path so deep
 * links work. Without a build every page is a 503 that says how to build it.
 */
export async function registerStaticApp(app: FastifyInstance, root: string): Promise<void> {
  app.addHook("onSend", async (_request, reply) => {
    reply.headers(SECURITY_HEADERS);
  });
  const built = existsSync(join(root, "index.html"));
  if (built) {
    await app.register(fastifyStatic, {
      root,
      index: false,
      wildcard: false,
      globIgnore: ["index.html"],
      setHeaders: (response, path) => {
        if (path.includes("/assets/"))
          response.header("cache-control", "public, max-age=31536000, immutable");
      },
    });
  }
  app.setNotFoundHandler(async (request, reply) => {
    if (request.method !== "GET" || SERVER_PATHS.test(request.url.split("?")[0] ?? ""))
      throw new Problem(404, "not-found", "Not found", `nothing at ${request.method} ${request.url}`);
    if (!built)
      throw new Problem(503, "not-built", "Web app not built", "run `npm run build -w @okr/web` first");
    reply.header("cache-control", "no-cache");
    return reply.type("text/html; charset=utf-8").sendFile("index.html", root, { cacheControl: false });
  });
}
