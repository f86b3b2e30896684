import { ISSUER_ALGORITHMS, type TrustedIssuer } from "@okr/config";
import {
  createRemoteJWKSet,
  type JWTPayload,
  type JWTVerifyGetKey,
  errors as joseErrors,
  jwtVerify,
} from "jose";
import type { Role, SignInIdentity } from "./auth.ts";

export type { TrustedIssuer };

/** How keys are fetched: once, then again only for an unknown `kid`, at most once per cooldown. */
export interface KeyFetchOptions {
  /** The least time between two JWKS fetches an unknown `kid` may trigger (default 30 s). */
  jwksCooldownMs?: number;
  /** How long fetched keys count as fresh before the next unknown `kid` refetches (default 10 min). */
  jwksCacheMaxAgeMs?: number;
  /** How long a discovery or JWKS fetch may take (default 5 s). */
  fetchTimeoutMs?: number;
}

export const DEFAULT_CLOCK_TOLERANCE_SECONDS = 30;
const ROLE_NAMES: readonly Role[] = ["admin", "leader", "member", "service"];

/** Why a token was refused: `unavailable` when the issuer could not be reached (not the caller's fault). */
export class IssuerTokenRefused extends Error {
  readonly unavailable: boolean;
  constructor(detail: string, unavailable = false) {
    super(detail);
    this.unavailable = unavailable;
  }
}

/** Who the issuer says the caller is, for linking the sign-in to a person of the tenant. */
function identityOf(issuer: TrustedIssuer, payload: JWTPayload): SignInIdentity {
  const email = payload[issuer.emailClaim ?? "email"];
  const name = payload.name;
  return {
    issuer: issuer.issuer,
    subject: String(payload.sub),
    ...(typeof email === "string" && email.length > 0 && email.length <= 320 ? { email } : {}),
    emailVerified: issuer.emailsVerified === true || payload.email_verified === true,
    ...(typeof name === "string" && name.length > 0 ? { name: name.slice(0, 200) } : {}),
  };
}

/** The issuer's token claims in the platform's shape: `tenant` and `roles` mapped per the issuer's rules. */
function mapClaims(issuer: TrustedIssuer, payload: JWTPayload): JWTPayload {
  const tenant = issuer.tenantId ?? payload[issuer.tenantClaim ?? "tenant"];
  const raw = payload[issuer.rolesClaim ?? "roles"];
  const values = Array.isArray(raw) ? raw : typeof raw === "string" ? raw.split(" ") : [];
  const roles = new Set<Role>();
  for (const value of values) {
    if (typeof value !== "string") continue;
    const role = issuer.roleMap
      ? Object.hasOwn(issuer.roleMap, value)
        ? issuer.roleMap[value]
        : undefined
      : ROLE_NAMES.find((name) => name === value);
    if (role) roles.add(role);
  }
  return {
    ...payload,
    tenant: typeof tenant === "string" ? tenant.toLowerCase() : tenant,
    roles: [...roles],
  };
}

function describeRefusal(error: unknown, issuer: TrustedIssuer): IssuerTokenRefused {
  if (error instanceof IssuerTokenRefused) return error;
  if (error instanceof joseErrors.JWTExpired) return new IssuerTokenRefused("the token has expired");
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    if (error.claim === "aud")
      return new IssuerTokenRefused(`the token is not meant for this API (aud must be ${issuer.audience})`);
    if (error.claim === "exp") return new IssuerTokenRefused("the token must carry an expiry (exp)");
    return new IssuerTokenRefused(`the token's ${error.claim} claim is not valid`);
  }
  if (error instanceof joseErrors.JOSEAlgNotAllowed)
    return new IssuerTokenRefused(
      `the token's algorithm is not accepted from this issuer (${(issuer.algorithms ?? ISSUER_ALGORITHMS).join(", ")})`,
    );
  if (error instanceof joseErrors.JWKSNoMatchingKey || error instanceof joseErrors.JWKSMultipleMatchingKeys)
    return new IssuerTokenRefused("the token was signed by a key its issuer does not publish");
  if (error instanceof joseErrors.JWKSTimeout || error instanceof joseErrors.JWKSInvalid)
    return new IssuerTokenRefused("the token's issuer could not be reached to check it", true);
  if (error instanceof TypeError && !(error instanceof joseErrors.JOSEError))
    return new IssuerTokenRefused("the token's issuer could not be reached to check it", true);
  return new IssuerTokenRefused("the token is not valid");
}

/**
 * Verifies one issuer's tokens. The discovery document is read on the first token (a service starts
 * even while its identity provider is down) and its `issuer` must be the configured one; the JWKS is
 * then cached by jose, refetched only for a `kid` it does not hold and at most once per cooldown, so a
 * request costs one signature check and no network round trip.
 */
export function issuerVerifier(issuer: TrustedIssuer, options: KeyFetchOptions = {}) {
  const timeoutMs = options.fetchTimeoutMs ?? 5_000;
  const cooldownMs = options.jwksCooldownMs ?? 30_000;
  let keys: Promise<JWTVerifyGetKey> | undefined;
  let failedAt = 0;
  const discover = async (): Promise<JWTVerifyGetKey> => {
    let jwksUri = issuer.jwksUri;
    if (!jwksUri) {
      const url = `${issuer.issuer.replace(/\/$/, "")}/.well-known/openid-configuration`;
      const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
      if (!response.ok) throw new TypeError(`discovery answered ${response.status}`);
      const document = (await response.json()) as { issuer?: unknown; jwks_uri?: unknown };
      if (document.issuer !== issuer.issuer || typeof document.jwks_uri !== "string")
        throw new TypeError("the discovery document names another issuer or no jwks_uri");
      jwksUri = document.jwks_uri;
    }
    return createRemoteJWKSet(new URL(jwksUri), {
      cooldownDuration: cooldownMs,
      cacheMaxAge: options.jwksCacheMaxAgeMs ?? 10 * 60_000,
      timeoutDuration: timeoutMs,
    });
  };
  const keySet = (): Promise<JWTVerifyGetKey> => {
    // A failed discovery is retried, but no more often than the JWKS cooldown allows.
    if (!keys && Date.now() - failedAt < cooldownMs)
      return Promise.reject(
        new IssuerTokenRefused("the token's issuer could not be reached to check it", true),
      );
    keys ??= discover().catch((error: unknown) => {
      keys = undefined;
      failedAt = Date.now();
      throw error;
    });
    return keys;
  };
  return {
    issuer: issuer.issuer,
    async verify(token: string): Promise<{ payload: JWTPayload; identity: SignInIdentity }> {
      try {
        const { payload } = await jwtVerify(token, await keySet(), {
          issuer: issuer.issuer,
          audience: issuer.audience,
          algorithms: [...(issuer.algorithms ?? ISSUER_ALGORITHMS)],
          requiredClaims: ["exp", "sub"],
          clockTolerance: issuer.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_SECONDS,
        });
        return { payload: mapClaims(issuer, payload), identity: identityOf(issuer, payload) };
      } catch (error) {
        throw describeRefusal(error, issuer);
      }
    },
  };
}

export type IssuerVerifier = ReturnType<typeof issuerVerifier>;
