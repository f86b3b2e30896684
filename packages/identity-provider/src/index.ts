export { type Account, AccountStore, GROUPS, readAccountsFile } from "./accounts.ts";
export {
  addSigningKeys,
  type KeyStoreFile,
  loadOrCreateKeys,
  type PrivateJwk,
  retireOldKeys,
  SIGNING_ALGORITHMS,
} from "./keys.ts";
export {
  API_AUDIENCE,
  API_RESOURCE,
  API_SCOPE,
  DEFAULT_WEB_REDIRECT_URI,
  type IdentityProviderOptions,
  type RunningIdentityProvider,
  SERVICE_CLIENT_ID,
  startIdentityProvider,
  WEB_CLIENT_ID,
} from "./provider.ts";
export {
  type AuthorizationResult,
  type PasswordSignIn,
  ProviderBrowser,
  redeemAuthorizationCode,
  requestAuthorizationCode,
  requestServiceToken,
  type ServiceTokenRequest,
  signInWithPassword,
} from "./sign-in.ts";
export { localIssuerTrust, SIGN_IN_SCOPES } from "./trust.ts";
