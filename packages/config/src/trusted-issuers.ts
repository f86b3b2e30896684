import { type Static, Type } from "typebox";
import { Value } from "typebox/value";
import type { ConfigProblem } from "./load.ts";

/** The roles a claim value may map to (service-kit's Role). */
const PlatformRole = Type.Union([
  Type.Literal("admin"),
  Type.Literal("leader"),
  Type.Literal("member"),
  Type.Literal("service"),
]);

/** Signature algorithms an issuer's tokens may use: asymmetric only, never `none` or an HMAC. */
export const ISSUER_ALGORITHMS = ["RS256", "ES256", "EdDSA"] as const;

/** The longest clock skew tolerated between an issuer and a service. */
export const MAX_CLOCK_TOLERANCE_SECONDS = 120;

const Url = (description: string) => Type.String({ pattern: "^https?://\\S+$", description });

/**
 * How the services' /docs page signs a person in at this issuer (authorization code + PKCE, a public
 * client). The endpoints are configured rather than discovered, so a service starts and serves /docs
 * while its provider is down.
 */
export const DocsSignInSchema = Type.Object(
  {
    clientId: Type.String({
      minLength: 1,
      description:
        "a public client whose redirect URIs include each service's /docs/static/oauth2-redirect.html",
    }),
    authorizationEndpoint: Url("the discovery document's `authorization_endpoint`"),
    tokenEndpoint: Url("the discovery document's `token_endpoint`"),
    scopes: Type.Optional(
      Type.Array(Type.String({ pattern: "^\\S+$" }), {
        description: "asked for by default (default openid)",
      }),
    ),
    authorizationParams: Type.Optional(
      Type.Record(Type.String({ pattern: "^[A-Za-z0-9_.-]+$" }), Type.String(), {
        description: "extra authorization request parameters, e.g. Auth0's `audience`",
      }),
    ),
  },
  { additionalProperties: false },
);

export type DocsSignIn = Static<typeof DocsSignInSchema>;

/** One OpenID Connect issuer whose access tokens the services accept, and how its claims map. */
export const TrustedIssuerSchema = Type.Object(
  {
    issuer: Type.String({ pattern: "^https?://\\S+$", description: "the issuer URL, exactly as in `iss`" }),
    audience: Type.String({ minLength: 1, description: "the `aud` the platform's tokens carry" }),
    jwksUri: Type.Optional(
      Type.String({ pattern: "^https?://\\S+$", description: "skips discovery when given" }),
    ),
    tenantClaim: Type.Optional(Type.String({ minLength: 1, description: "default `tenant`" })),
    tenantId: Type.Optional(
      Type.String({
        pattern: "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
        description: "one issuer per tenant: every token of this issuer acts in this tenant",
      }),
    ),
    rolesClaim: Type.Optional(Type.String({ minLength: 1, description: "default `roles`" })),
    roleMap: Type.Optional(Type.Record(Type.String(), PlatformRole)),
    algorithms: Type.Optional(
      Type.Array(Type.Union(ISSUER_ALGORITHMS.map((alg) => Type.Literal(alg))), { minItems: 1 }),
    ),
    clockToleranceSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_CLOCK_TOLERANCE_SECONDS })),
    emailClaim: Type.Optional(
      Type.String({ minLength: 1, description: "the claim holding the person's email (default `email`)" }),
    ),
    emailsVerified: Type.Optional(
      Type.Boolean({
        description:
          "the issuer only puts addresses it has verified in the email claim, so tokens need no `email_verified: true`",
      }),
    ),
    docs: Type.Optional(DocsSignInSchema),
  },
  { additionalProperties: false },
);

export type TrustedIssuer = Static<typeof TrustedIssuerSchema>;

const TrustedIssuersSchema = Type.Array(TrustedIssuerSchema);

/** AUTH_ISSUERS: a JSON array of {@link TrustedIssuer}; the problems name what is wrong. */
export function parseTrustedIssuers(text: string | undefined): TrustedIssuer[] | ConfigProblem[] {
  if (!text) return [];
  const problem = (message: string): ConfigProblem[] => [{ variable: "AUTH_ISSUERS", message }];
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return problem("must be a JSON array of issuers");
  }
  const [error] = [...Value.Errors(TrustedIssuersSchema, value)];
  if (error) return problem(`${error.instancePath || "/"} ${error.message}`);
  const issuers = value as TrustedIssuer[];
  const names = issuers.map((issuer) => issuer.issuer);
  if (new Set(names).size !== names.length) return problem("an issuer is listed twice");
  return issuers;
}

export const isConfigProblems = (value: TrustedIssuer[] | ConfigProblem[]): value is ConfigProblem[] =>
  value.length > 0 && "variable" in (value[0] as object);

/**
 * The AUTH_ISSUERS problems of a loaded config, for loadConfig's `refine`; and a service needs some way
 * to check tokens: the HS256 secret, or at least one issuer.
 */
export function trustedIssuerProblems(config: {
  AUTH_ISSUERS?: string | undefined;
  AUTH_JWT_SECRET?: string | undefined;
}): ConfigProblem[] {
  const parsed = parseTrustedIssuers(config.AUTH_ISSUERS);
  if (isConfigProblems(parsed)) return parsed;
  return parsed.length === 0 && !config.AUTH_JWT_SECRET
    ? [
        {
          variable: "AUTH_JWT_SECRET",
          message: "is required unless AUTH_ISSUERS names an OpenID Connect issuer",
        },
      ]
    : [];
}
