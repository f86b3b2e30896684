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

/**
 * Verifies the bearer JWT (HS256) on every non-public route: it must name the tenant (`tenant`),
 * the subject (`sub`) and the roles (`roles`).
 */
export function registerAuth(app: FastifyInstance, options: AuthOptions): void {
  const key = new TextEncoder().encode(options.secret);
  app.decorateRequest("principal", null as unknown as Principal);
  app.addHook("onRequest", async (request) => {
    if (request.routeOptions.config?.public || request.is404) return;
    const header = request.headers.authorization;
    if (!header?.startsWith("Bearer ")) throw unauthorized("send Authorization: Bearer <JWT>");
    try {
      const { payload } = await jwtVerify(header.slice(7), key, {
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
