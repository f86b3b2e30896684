import { isUuid } from "@okr/events";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { decodeJwt, type JWTPayload, errors as joseErrors, jwtVerify, SignJWT } from "jose";
import { type IssuerVerifier, issuerVerifier, type KeyFetchOptions, type TrustedIssuer } from "./issuers.ts";
import { forbidden, Problem } from "./problem.ts";

export type Role = "admin" | "leader" | "member" | "service";
export const ROLES: readonly Role[] = ["admin", "leader", "member", "service"];

/** Who an OpenID Connect issuer vouched the caller is: (issuer, subject) and the claims that link a person. */
export interface SignInIdentity {
  issuer: string;
  subject: string;
  email?: string;
  /** The issuer vouches for the address (`email_verified`, or an issuer configured as `emailsVerified`). */
  emailVerified: boolean;
  name?: string;
}

/**
 * Who is calling: every query is scoped by `tenantId`; `roles` decide what they may do. `subject` is the
 * actor stored with what they do; a service may replace an issuer's subject by its own id for the person
 * (goals links sign-ins to people), and `identity` keeps what the issuer said.
 */
export interface Principal {
  tenantId: string;
  subject: string;
  roles: Role[];
  identity?: SignInIdentity;
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
  /**
   * The shared HS256 secret of tokens whose `iss` is `issuer` (tests, benches, and the development
   * paths not yet moved to an identity provider). Without it only `issuers` are trusted.
   */
  secret?: string;
  issuer: string;
  /** OpenID Connect issuers whose (asymmetrically signed) access tokens are accepted. */
  issuers?: TrustedIssuer[];
  /** How their keys are fetched and cached. */
  keyFetch?: KeyFetchOptions;
  /** The longest a token may live: `exp - iat`, and `exp - now`, at most this (default 24 h). */
  maxTokenLifetimeSeconds?: number;
}

export const DEFAULT_MAX_TOKEN_LIFETIME_SECONDS = 24 * 60 * 60;

/** RFC 6750: every 401 names the scheme; a token that was sent and refused is an `invalid_token`. */
class Unauthorized extends Problem {
  readonly challenge: string;
  constructor(realm: string, detail: string, invalidToken: boolean) {
    super(401, "unauthorized", "Authentication required", detail);
    const quoted = detail.replaceAll("\\", "").replaceAll('"', "'");
    this.challenge = invalidToken
      ? `Bearer realm="${realm}", error="invalid_token", error_description="${quoted}"`
      : `Bearer realm="${realm}"`;
  }
}

/** Seconds a caller is asked to wait when an identity provider could not be reached. */
const ISSUER_RETRY_AFTER_SECONDS = 5;

/** The `iss` a token claims, read before its signature is checked only to pick how to check it. */
function claimedIssuer(token: string): string | undefined {
  try {
    const { iss } = decodeJwt(token);
    return typeof iss === "string" ? iss : undefined;
  } catch {
    return undefined;
  }
}

/** Verified tokens kept (by their exact text) so a client's repeated calls skip the HMAC check. */
const VERIFIED_CACHE_SIZE = 10_000;
const SCHEME = /^bearer +/i;
/** A subject becomes an actor id stored as text: printable, bounded, nothing Postgres refuses. */
const SUBJECT = /^\P{Cc}{1,200}$/u;

/**
 * The claims every route relies on, checked before any of them is used: `tenant` scopes every query
 * (and is a uuid column), `sub` is stored as the actor, `roles` decide what the caller may do, and
 * `exp` bounds how long a leaked token is worth anything.
 */
function principalOf(
  payload: JWTPayload,
  maxLifetimeSeconds: number,
  nowSeconds: number,
): Principal | string {
  if (typeof payload.tenant !== "string" || !isUuid(payload.tenant))
    return "the token's tenant must be a UUID";
  if (typeof payload.sub !== "string" || !SUBJECT.test(payload.sub) || !payload.sub.isWellFormed())
    return "the token's sub must be 1-200 printable characters";
  const roles = Array.isArray(payload.roles)
    ? payload.roles.filter((role): role is Role => ROLES.includes(role))
    : [];
  if (roles.length === 0) return `the token must carry at least one role (${ROLES.join(", ")})`;
  if (typeof payload.exp !== "number") return "the token must carry an expiry (exp)";
  const lifetime =
    payload.exp - (typeof payload.iat === "number" ? Math.min(payload.iat, nowSeconds) : nowSeconds);
  if (lifetime > maxLifetimeSeconds)
    return `the token may be valid for at most ${maxLifetimeSeconds} s (exp - iat); ask for a shorter-lived one`;
  return { tenantId: payload.tenant, subject: payload.sub, roles };
}

/**
 * Verifies the bearer JWT on every non-public route: it must name the tenant (`tenant`, a UUID), the
 * subject (`sub`), the roles (`roles`) and expire (`exp`) within the lifetime cap. A token whose `iss` is
 * one of `issuers` is checked against that issuer's published keys (asymmetric algorithms only, its
 * audience, its claim mapping; see issuers.ts); one whose `iss` is `issuer` against the shared HS256
 * secret, when one is configured; any other is refused. Keys are imported or fetched once, and a
 * verified token is remembered until its own expiry (a token is immutable: the same text always carries
 * the same claims), so a client reusing its token costs a map lookup instead of a WebCrypto round trip
 * per request. Every 401 carries a `WWW-Authenticate: Bearer` challenge.
 */
export function registerAuth(app: FastifyInstance, options: AuthOptions): void {
  const issuers = new Map<string, IssuerVerifier>(
    (options.issuers ?? []).map((issuer) => [issuer.issuer, issuerVerifier(issuer, options.keyFetch)]),
  );
  if (issuers.has(options.issuer))
    throw new Error(`the HS256 issuer ${options.issuer} may not also be an OpenID Connect issuer`);
  if (options.secret === undefined && issuers.size === 0)
    throw new Error("auth needs an HS256 secret or at least one OpenID Connect issuer");
  const secret = options.secret;
  const key =
    secret === undefined
      ? undefined
      : crypto.subtle.importKey(
          "raw",
          new TextEncoder().encode(secret),
          { name: "HMAC", hash: "SHA-256" },
          false,
          ["verify"],
        );
  const maxLifetime = options.maxTokenLifetimeSeconds ?? DEFAULT_MAX_TOKEN_LIFETIME_SECONDS;
  const realm = options.issuer.replaceAll("\\", "").replaceAll('"', "'");
  const refuse = (reply: FastifyReply, detail: string, invalidToken = true) => {
    const problem = new Unauthorized(realm, detail, invalidToken);
    reply.header("www-authenticate", problem.challenge);
    return problem;
  };
  const verified = new Map<string, { principal: Principal; expiresAtMs: number }>();
  app.decorateRequest("principal", null as unknown as Principal);
  app.addHook("onRequest", async (request, reply) => {
    if (request.routeOptions.config?.public || request.is404) return;
    const header = request.headers.authorization;
    const scheme = header === undefined ? null : SCHEME.exec(header);
    if (!header || !scheme) throw refuse(reply, "send Authorization: Bearer <JWT>", false);
    const token = header.slice(scheme[0].length).trim();
    const known = verified.get(token);
    if (known && Date.now() < known.expiresAtMs) {
      request.principal = known.principal;
      return;
    }
    if (known) verified.delete(token);
    let payload: JWTPayload;
    let identity: SignInIdentity | undefined;
    const trusted = issuers.get(claimedIssuer(token) ?? "");
    if (trusted) {
      try {
        ({ payload, identity } = await trusted.verify(token));
      } catch (error) {
        const detail = (error as Error).message;
        if (!(error as { unavailable?: boolean }).unavailable) throw refuse(reply, detail);
        reply.header("retry-after", String(ISSUER_RETRY_AFTER_SECONDS));
        throw new Problem(503, "identity-provider-unavailable", "Identity provider unavailable", detail);
      }
    } else if (!key) {
      throw refuse(reply, "the token's issuer (iss) is not trusted");
    } else {
      try {
        ({ payload } = await jwtVerify(token, await key, {
          issuer: options.issuer,
          algorithms: ["HS256"],
          requiredClaims: ["exp"],
        }));
      } catch (error) {
        throw refuse(
          reply,
          error instanceof joseErrors.JWTExpired
            ? "the token has expired"
            : error instanceof joseErrors.JWTClaimValidationFailed && error.claim === "exp"
              ? "the token must carry an expiry (exp)"
              : "the token is not valid",
        );
      }
    }
    const principal = principalOf(payload, maxLifetime, Math.floor(Date.now() / 1000));
    if (typeof principal === "string") throw refuse(reply, principal);
    if (identity) principal.identity = identity;
    request.principal = principal;
    if (verified.size >= VERIFIED_CACHE_SIZE) verified.delete(verified.keys().next().value as string);
    verified.set(token, { principal, expiresAtMs: (payload.exp as number) * 1000 });
  });
}

/** Throws 403 unless the caller has one of the roles. */
export function requireRole(request: FastifyRequest, ...roles: Role[]): void {
  if (!request.principal.roles.some((role) => roles.includes(role))) {
    throw forbidden(`this action needs one of the roles: ${roles.join(", ")}`);
  }
}

function requireSecret(options: AuthOptions): string {
  if (options.secret === undefined) throw new Error("signing an HS256 token needs AuthOptions.secret");
  return options.secret;
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
    .sign(new TextEncoder().encode(requireSecret(options)));
}
