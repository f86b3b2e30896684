import { isDatabaseUnavailable, isRetryableConflict } from "@okr/database";
import { DATABASE_RETRY_AFTER_SECONDS, Problem } from "@okr/service-kit";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { type TSchema, Type } from "typebox";
import type { GoalsDb } from "../database.ts";
import { findScimTokenTenant } from "../repositories/scim-tokens.ts";
import { ERROR_SCHEMA, invalidValue, ScimError } from "./errors.ts";

/**
 * What every SCIM route shares: the `application/scim+json` media type (read and written), answers in
 * SCIM's own error format instead of problem+json (identity providers read `status` and `scimType`),
 * and the tenant's provisioning token instead of a JWT. Register inside the SCIM routes' own plugin.
 */
export const SCIM_MEDIA_TYPE = "application/scim+json";
export const SCIM_PREFIX = "/scim/v2";

export const ScimErrorBody = Type.Object(
  {
    schemas: Type.Array(Type.Literal(ERROR_SCHEMA)),
    status: Type.String({ description: "the HTTP status, as a string (RFC 7644 §3.12)" }),
    scimType: Type.Optional(Type.String({ description: "invalidFilter, invalidValue, uniqueness, ..." })),
    detail: Type.String(),
  },
  { additionalProperties: false },
);

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: "invalidFilter, invalidPath, invalidValue or invalidSyntax",
  401: "No valid provisioning token",
  404: "The resource does not exist in this tenant",
  409: "uniqueness: another resource has this userName or email",
  413: "The body is larger than the service accepts",
  415: "The body is not JSON (application/scim+json or application/json)",
  429: "Too many requests",
  503: "The database is briefly unavailable; retry later",
};

/** A documented answer sent as `application/scim+json` (SCIM routes answer in no other type). */
export const scimResponse = (schema: TSchema, description: string) => ({
  description,
  content: { [SCIM_MEDIA_TYPE]: { schema } },
});

/** The SCIM errors a route may answer: those every SCIM route has (401, 429, 503) and the given ones. */
export const scimErrors = (...statuses: number[]) =>
  Object.fromEntries(
    [...new Set([401, 429, 503, ...statuses])].map((status) => [
      status,
      scimResponse(ScimErrorBody, ERROR_DESCRIPTIONS[status] ?? "A SCIM error"),
    ]),
  );

/** The route options every SCIM route shares: public to the JWT check (the provisioning token is checked here). */
export const scimRoute = { config: { public: true } } as const;
export const scimSchema = {
  consumes: [SCIM_MEDIA_TYPE, "application/json"],
  produces: [SCIM_MEDIA_TYPE],
  security: [{ bearer: [] }],
} as const;

export function sendScim(reply: FastifyReply, status: number, body: unknown) {
  return reply.status(status).type(SCIM_MEDIA_TYPE).send(body);
}

function sendError(reply: FastifyReply, status: number, detail: string, scimType?: string) {
  return reply
    .status(status)
    .type(SCIM_MEDIA_TYPE)
    .send({ schemas: [ERROR_SCHEMA], status: String(status), ...(scimType ? { scimType } : {}), detail });
}

const SCHEME = /^bearer +/i;

const storable = (value: unknown): boolean =>
  typeof value === "string"
    ? !value.includes("\0") && value.isWellFormed()
    : typeof value !== "object" || value === null
      ? true
      : Object.entries(value).every(([key, inner]) => storable(key) && storable(inner));

/**
 * The SCIM plugin's plumbing: a body parser for `application/scim+json` (the same JSON parser, with the
 * prototype-poisoning protection), the provisioning-token check and the SCIM error format.
 */
export function registerScimProtocol(app: FastifyInstance, db: GoalsDb, options = { token: true }): void {
  const parseJson = app.getDefaultJsonParser("error", "error");
  app.addContentTypeParser(SCIM_MEDIA_TYPE, { parseAs: "string" }, (request, body, done) => {
    parseJson(request, body as string, (error, parsed) => {
      if (error) return done(error, undefined);
      // As service-kit does for application/json: text Postgres cannot store is refused at the edge.
      if ((body as string).includes("\\u") && !storable(parsed))
        return done(invalidValue("text must not contain NUL or an unpaired UTF-16 surrogate"), undefined);
      done(null, parsed);
    });
  });

  if (options.token)
    app.addHook("onRequest", async (request: FastifyRequest, reply) => {
      const header = request.headers.authorization;
      const scheme = header === undefined ? null : SCHEME.exec(header);
      const token = header && scheme ? header.slice(scheme[0].length).trim() : "";
      const found = token ? await findScimTokenTenant(db, token) : undefined;
      if (!found) {
        reply.header("www-authenticate", 'Bearer realm="scim"');
        throw new ScimError(401, "send Authorization: Bearer <the tenant's SCIM provisioning token>");
      }
      // The token administers its tenant's people and teams; audit entries name it as the actor. Not
      // `service`: the per-caller rate limit (keyed on this principal) applies to provisioning too.
      request.principal = { tenantId: found.tenantId, subject: `scim-token:${found.id}`, roles: ["admin"] };
    });

  app.setErrorHandler((error: FastifyError | ScimError | Problem, request, reply) => {
    if (error instanceof ScimError) return sendError(reply, error.status, error.message, error.scimType);
    if (error instanceof Problem) return sendError(reply, error.status, error.message);
    // Two creations of the same person at once: the second meets the (tenant, email) key, not a 500.
    if ((error as { code?: unknown }).code === "P2002")
      return sendError(reply, 409, "another person already has this email", "uniqueness");
    if ((error as FastifyError).validation)
      return sendError(reply, 400, `the request does not match the schema: ${error.message}`, "invalidValue");
    const status = (error as FastifyError).statusCode;
    if (status && status >= 400 && status < 500)
      return sendError(reply, status, error.message, status === 400 ? "invalidSyntax" : undefined);
    if (isDatabaseUnavailable(error) || isRetryableConflict(error)) {
      request.log.warn(
        { code: (error as { code?: unknown }).code },
        "SCIM: database unavailable, answered 503",
      );
      reply.header("retry-after", String(DATABASE_RETRY_AFTER_SECONDS));
      return sendError(reply, 503, "the database is briefly unavailable; retry shortly");
    }
    request.log.error({ err: error }, "unhandled error");
    return sendError(reply, 500, "the server failed to handle the request; it has been logged");
  });
}

/** SCIM's list envelope (RFC 7644 §3.4.2): 1-based startIndex, count per page. */
export const ListQuery = {
  filter: Type.Optional(Type.String({ maxLength: 1000 })),
  startIndex: Type.Integer({ minimum: 1, maximum: 2_000_000_000, default: 1 }),
  count: Type.Integer({ minimum: 0, maximum: 200, default: 100 }),
  attributes: Type.Optional(Type.String({ maxLength: 1000 })),
  excludedAttributes: Type.Optional(Type.String({ maxLength: 1000 })),
};

export const LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
export const ListResponse = (resource: TSchema) =>
  Type.Object({
    schemas: Type.Array(Type.String()),
    totalResults: Type.Integer(),
    startIndex: Type.Integer(),
    itemsPerPage: Type.Integer(),
    Resources: Type.Array(resource),
  });

export const PatchBody = Type.Object(
  {
    schemas: Type.Optional(Type.Array(Type.String())),
    Operations: Type.Array(
      Type.Object(
        {
          op: Type.String({ description: "add, replace or remove (any case: Entra sends Replace)" }),
          path: Type.Optional(Type.String({ maxLength: 1000 })),
          value: Type.Optional(Type.Unknown()),
        },
        { additionalProperties: true },
      ),
      { minItems: 1, maxItems: 1000 },
    ),
  },
  { additionalProperties: true },
);

export const IdParam = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) });

/** meta.location of a resource, relative to the service (identity providers resolve it against the base URL). */
export const locationOf = (kind: "Users" | "Groups", id: string) => `${SCIM_PREFIX}/${kind}/${id}`;
