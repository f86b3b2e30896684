import type { FastifyInstance, FastifyRequest } from "fastify";
import { errors as joseErrors, jwtVerify, SignJWT } from "jose";
import { forbidden, Problem } from "./problem.ts";

export type Role = "admin" | "leader" | "member" | "service";
export const ROLES: readonly Role[] = ["admin", "leader", "member", "service"];

/** Who is calling: every query is scoped by `tenantId`; `roles` decide what they may do. */
export interface Principal {
  tenantId: string;
  subject: string;
  roles: Role[];
}

declare module "fastify" {
  interface FastifyRequest {
    principal: Principal;
  }
  interface FastifyContextConfig {
    /** Routes that need no token (health, docs). */
    public?: boolean;
  }
}

export interface AuthOptions {
  secret: string;
  issuer: string;
}

const unauthorized = (detail: string) => new Problem(401, "unauthorized", "Authentication required", detail);

/** Verified tokens kept (by their exact text) so a client's repeated calls skip the HMAC check. */
const VERIFIED_CACHE_SIZE = 10_000;

/**
 * Verifies the bearer JWT (HS256) on every non-public route: it must name the tenant (`tenant`),
 * the subject (`sub`) and the roles (`roles`). The key is imported once, and a verified token is
 * remembered until its own expiry (a token is immutable: the same text always carries the same claims),
 * so a client reusing its token costs a map lookup instead of a WebCrypto round trip per request.
 */
export function registerAuth(app: FastifyInstance, options: AuthOptions): void {
  const key = crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(options.secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["verify"],
  );
  const verified = new Map<string, { principal: Principal; expiresAtMs: number }>();
  app.decorateRequest("principal", null as unknown as Principal);
  app.addHook("onRequest", async (request) => {
    if (request.routeOptions.config?.public || request.is404) return;
    const header = request.headers.authorization;
    if (!header?.startsWith("Bearer ")) throw unauthorized("send Authorization: Bearer <JWT>");
    const token = header.slice(7);
    const known = verified.get(token);
    if (known && Date.now() < known.expiresAtMs) {
      request.principal = known.principal;
      return;
    }
    if (known) verified.delete(token);
    try {
      const { payload } = await jwtVerify(token, await key, {
        issuer: options.issuer,
        algorithms: ["HS256"],
      });
      const roles = Array.isArray(payload.roles)
        ? payload.roles.filter((role): role is Role => ROLES.includes(role))
        : [];
      if (typeof payload.tenant !== "string" || !payload.tenant || !payload.sub || roles.length === 0) {
        throw unauthorized("the token must carry tenant, sub and at least one role");
      }
      request.principal = { tenantId: payload.tenant, subject: payload.sub, roles };
      // Only tokens that expire are remembered, and never past their expiry.
      if (typeof payload.exp === "number") {
        if (verified.size >= VERIFIED_CACHE_SIZE) verified.delete(verified.keys().next().value as string);
        verified.set(token, { principal: request.principal, expiresAtMs: payload.exp * 1000 });
      }
    } catch (error) {
      if (error instanceof Problem) throw error;
      const reason =
        error instanceof joseErrors.JWTExpired ? "the token has expired" : "the token is not valid";
      throw unauthorized(reason);
    }
  });
}

/** Throws 403 unless the caller has one of the roles. */
export function requireRole(request: FastifyRequest, ...roles: Role[]): void {
  if (!request.principal.roles.some((role) => roles.includes(role))) {
    throw forbidden(`this action needs one of the roles: ${roles.join(", ")}`);
  }
}

/** Mints a token; used by the demo seed, by service-to-service calls (role `service`) and by tests. */
export async function signToken(
  options: AuthOptions,
  claims: { tenantId: string; subject: string; roles: Role[] },
  expiresIn = "1h",
): Promise<string> {
  return new SignJWT({ tenant: claims.tenantId, roles: claims.roles })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(claims.subject)
    .setIssuer(options.issuer)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(options.secret));
}
