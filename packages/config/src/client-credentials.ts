import { Type } from "typebox";
import { HttpUrl } from "./fields.ts";
import type { ConfigProblem } from "./load.ts";

/**
 * A process's own credentials at an OpenID Connect provider (OAuth 2.0 client credentials): with an
 * issuer, a client id and its secret, the process asks the provider for its tokens.
 */
export const ClientCredentialsConfig = {
  AUTH_OIDC_ISSUER: Type.Optional(HttpUrl()),
  AUTH_OIDC_CLIENT_ID: Type.Optional(Type.String({ minLength: 1 })),
  AUTH_OIDC_CLIENT_SECRET: Type.Optional(Type.String({ minLength: 1 })),
  /**
   * Where the process reaches the token endpoint when that is not where the issuer's discovery document
   * says: in containers, the issuer is the address browsers use, not one the process can reach.
   */
  AUTH_OIDC_TOKEN_ENDPOINT: Type.Optional(
    HttpUrl("an http(s):// URL, used instead of the discovery document's token_endpoint"),
  ),
};

/** An issuer needs the client id and secret; a token endpoint belongs to an issuer. */
export function clientCredentialsProblems(config: {
  AUTH_OIDC_ISSUER?: string | undefined;
  AUTH_OIDC_CLIENT_ID?: string | undefined;
  AUTH_OIDC_CLIENT_SECRET?: string | undefined;
  AUTH_OIDC_TOKEN_ENDPOINT?: string | undefined;
}): ConfigProblem[] {
  if (!config.AUTH_OIDC_ISSUER)
    return config.AUTH_OIDC_TOKEN_ENDPOINT
      ? [
          {
            variable: "AUTH_OIDC_TOKEN_ENDPOINT",
            message: "needs AUTH_OIDC_ISSUER, the issuer of its tokens",
          },
        ]
      : [];
  return (["AUTH_OIDC_CLIENT_ID", "AUTH_OIDC_CLIENT_SECRET"] as const)
    .filter((name) => !config[name])
    .map((variable) => ({ variable, message: "is required when AUTH_OIDC_ISSUER is set" }));
}
