import { API_AUDIENCE_NAME, GROUPS } from "./accounts.ts";
import { API_SCOPE, WEB_CLIENT_ID } from "./provider.ts";

/**
 * The scopes a person's sign-in asks for: who they are, their email (how a first sign-in finds their
 * person), and the platform's API. The access token's resource is the provider's default, `urn:okr:api`.
 */
export const SIGN_IN_SCOPES = ["openid", "email", "profile", API_SCOPE];

/**
 * What a service's AUTH_ISSUERS entry for this provider says: its audience, its groups mapped to the
 * platform's roles, and how /docs signs a person in through the web client (the shape of @okr/config's
 * TrustedIssuer). The endpoints are oidc-provider's routes, which its discovery document names.
 */
export function localIssuerTrust(issuer: string) {
  return {
    issuer,
    audience: API_AUDIENCE_NAME,
    rolesClaim: "groups",
    roleMap: {
      [GROUPS.admin]: "admin" as const,
      [GROUPS.leader]: "leader" as const,
      [GROUPS.member]: "member" as const,
      [GROUPS.service]: "service" as const,
    },
    docs: {
      clientId: WEB_CLIENT_ID,
      authorizationEndpoint: `${issuer}/auth`,
      tokenEndpoint: `${issuer}/token`,
      scopes: [...SIGN_IN_SCOPES],
    },
  };
}
