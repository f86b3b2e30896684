import type { TrustedIssuer } from "@okr/config";

/**
 * Where Swagger UI receives the authorization code: @fastify/swagger-ui serves the page under its static
 * prefix and sets Swagger UI's `oauth2RedirectUrl` to it, whatever the UI config says.
 */
export const DOCS_OAUTH2_REDIRECT_PATH = "/docs/static/oauth2-redirect.html";

/** The redirect URI an identity provider must accept for the /docs page of a service at `origin`. */
export const docsRedirectUri = (origin: string) => `${origin.replace(/\/$/, "")}${DOCS_OAUTH2_REDIRECT_PATH}`;

/** The name of the OpenAPI security scheme /docs signs in with. */
export const DOCS_OAUTH2_SCHEME = "oauth2";

const SCOPE_DESCRIPTIONS: Record<string, string> = {
  openid: "who you are (OpenID Connect)",
  email: "your email: a first sign-in finds your person by it",
  profile: "your name",
  offline_access: "a refresh token",
};

/**
 * What /docs needs to sign a person in at the first issuer that configures it: an OAuth 2.0 security
 * scheme (authorization code; Swagger UI adds PKCE), Swagger UI's `initOAuth` settings, and the origin
 * of the token endpoint, which the page calls itself. Undefined when no issuer has a `docs` entry: the
 * docs then offer the bearer scheme alone.
 */
export function docsSignIn(issuers: readonly TrustedIssuer[] = []) {
  const issuer = issuers.find((candidate) => candidate.docs);
  const docs = issuer?.docs;
  if (!issuer || !docs) return undefined;
  const scopes = docs.scopes ?? ["openid"];
  return {
    securityScheme: {
      type: "oauth2" as const,
      description: `Sign in at ${issuer.issuer}: authorization code with PKCE, client \`${docs.clientId}\`.`,
      flows: {
        authorizationCode: {
          authorizationUrl: docs.authorizationEndpoint,
          tokenUrl: docs.tokenEndpoint,
          scopes: Object.fromEntries(
            scopes.map((scope) => [scope, SCOPE_DESCRIPTIONS[scope] ?? `the API scope ${scope}`]),
          ),
        },
      },
    },
    initOAuth: {
      clientId: docs.clientId,
      usePkceWithAuthorizationCodeGrant: true,
      scopes,
      ...(docs.authorizationParams ? { additionalQueryStringParams: docs.authorizationParams } : {}),
    },
    tokenOrigin: new URL(docs.tokenEndpoint).origin,
  };
}
