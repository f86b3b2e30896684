/// <reference path="./oidc-provider.d.ts" />
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import Provider, { type IssuedToken, type OidcContext } from "oidc-provider";
import { type Account, AccountStore, API_AUDIENCE_NAME, GROUPS } from "./accounts.ts";
import { FileStateStore } from "./file-adapter.ts";
import { handleInteraction } from "./interactions.ts";
import {
  addSigningKeys,
  type KeyStoreFile,
  loadOrCreateCookieKeys,
  loadOrCreateKeys,
  retireOldKeys,
  type SigningAlgorithm,
} from "./keys.ts";

/** The resource indicator (RFC 8707) of the platform's APIs, and the audience their tokens carry. */
export const API_RESOURCE = "urn:okr:api";
export const API_AUDIENCE = API_AUDIENCE_NAME;
export const API_SCOPE = "api";
export const WEB_CLIENT_ID = "okr-web";
export const SERVICE_CLIENT_ID = "okr-services";
/** Where the web app receives its authorization code unless OIDC_WEB_REDIRECT_URIS says otherwise. */
export const DEFAULT_WEB_REDIRECT_URI = "http://127.0.0.1:5173/auth/callback";

/** A client-credentials token names its tenant by asking for the scope `tenant:<uuid>`. */
const TENANT_SCOPE = /^tenant:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

export interface IdentityProviderOptions {
  host?: string;
  /** 0 picks a free port (tests). */
  port: number;
  /** Defaults to http://<host>:<port>; set it when the provider is reached under another name. */
  issuer?: string;
  /**
   * Where the signing keys and cookie secrets (`jwks.json`, `cookie-keys.json`) and the sessions, grants
   * and interactions (`state/`) are kept.
   */
  dataDir: string;
  accounts: readonly Account[];
  /** Redirect URIs of the web app (authorization code + PKCE). */
  webRedirectUris: string[];
  /** The secret of the service client (client credentials). */
  serviceClientSecret: string;
  /** Lifetime of access tokens, in seconds (default 15 minutes). */
  accessTokenTtlSeconds?: number;
  /** The algorithm access tokens are signed with (default ES256). */
  accessTokenAlgorithm?: SigningAlgorithm;
}

export interface RunningIdentityProvider {
  issuer: string;
  port: number;
  keysFile: string;
  /** Rotation step 1 while running: a new signing key per algorithm, published beside the old ones. */
  rotateKeys(): KeyStoreFile;
  /** Rotation step 2: only the newest key per algorithm stays published. Returns the retired kids. */
  retireOldKeys(): string[];
  /** Re-reads the key file (after the CLI rotated keys in it). */
  reloadKeys(): void;
  close(): Promise<void>;
}

function configuration(
  options: IdentityProviderOptions,
  accounts: AccountStore,
  keys: KeyStoreFile,
  cookieKeys: string[],
  state: FileStateStore,
) {
  const accessTokenTtl = options.accessTokenTtlSeconds ?? 15 * 60;
  return {
    adapter: state.adapter,
    clients: [
      {
        client_id: WEB_CLIENT_ID,
        token_endpoint_auth_method: "none",
        grant_types: ["authorization_code", "refresh_token"],
        response_types: ["code"],
        redirect_uris: options.webRedirectUris,
      },
      {
        client_id: SERVICE_CLIENT_ID,
        client_secret: options.serviceClientSecret,
        grant_types: ["client_credentials"],
        response_types: [],
        redirect_uris: [],
      },
    ],
    jwks: keys,
    cookies: { keys: cookieKeys },
    pkce: { required: () => true },
    // The web app's server keeps its tokens and renews them there, so it gets a refresh token without
    // asking for offline_access (which would need a consent screen the first-party app never shows). A
    // page that exchanges the code in the browser (its request has an Origin: /docs) gets none: a
    // browser would keep it where scripts can read it.
    issueRefreshToken: async (
      ctx: { get(header: string): string },
      client: { grantTypeAllowed(type: string): boolean },
    ) => client.grantTypeAllowed("refresh_token") && !ctx.get("origin"),
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
    scopes: ["openid", "email", "profile"],
    findAccount: async (_ctx: unknown, id: string) => {
      const account = accounts.bySubject(id);
      if (!account) return undefined;
      return {
        accountId: id,
        claims: async () => ({ sub: id, email: account.email, email_verified: true, name: account.name }),
      };
    },
    // The platform's own web app is first party: its people are never asked to consent.
    loadExistingGrant: async (ctx: {
      oidc: {
        provider: Provider;
        client: { clientId: string };
        session: { accountId: string; grantIdFor(clientId: string): string | undefined };
        result?: { consent?: { grantId?: string } };
      };
    }) => {
      const { oidc } = ctx;
      const grantId = oidc.result?.consent?.grantId ?? oidc.session.grantIdFor(oidc.client.clientId);
      const existing = grantId ? await oidc.provider.Grant.find(grantId) : undefined;
      // A revoked grant stays gone; a session that still holds gets a new one, as at its first sign-in.
      if (existing || oidc.client.clientId !== WEB_CLIENT_ID) return existing;
      const grant = new oidc.provider.Grant({ clientId: WEB_CLIENT_ID, accountId: oidc.session.accountId });
      grant.addOIDCScope("openid email profile");
      grant.addResourceScope(API_RESOURCE, API_SCOPE);
      await grant.save();
      return grant;
    },
    // Browser pages exchange the web client's codes themselves (the web app, each service's /docs): the
    // origins of its redirect URIs may call the token endpoint. No other client is used from a browser.
    clientBasedCORS: (_ctx: unknown, origin: string, client: { clientId: string; redirectUris: string[] }) =>
      client.clientId === WEB_CLIENT_ID &&
      client.redirectUris.some((uri) => URL.parse(uri)?.origin === origin),
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      revocation: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: async () => API_RESOURCE,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (ctx: OidcContext, resource: string) => {
          if (resource !== API_RESOURCE) throw new Error(`unknown resource ${resource}`);
          // The service client may ask for a token of any one tenant; anyone else gets the API scope only.
          const requested = String(ctx.oidc.params?.scope ?? "").split(" ");
          const tenantScopes =
            ctx.oidc.client?.clientId === SERVICE_CLIENT_ID
              ? requested.filter((scope) => TENANT_SCOPE.test(scope)).slice(0, 1)
              : [];
          return {
            scope: [API_SCOPE, ...tenantScopes].join(" "),
            audience: API_AUDIENCE,
            accessTokenTTL: accessTokenTtl,
            accessTokenFormat: "jwt",
            jwt: { sign: { alg: options.accessTokenAlgorithm ?? "ES256" } },
          };
        },
      },
    },
    // What the platform's services read: the tenant and the IdP groups they map to roles; for a person,
    // the email (which this provider vouches for: its accounts are given) and name a first sign-in links
    // them by.
    extraTokenClaims: async (_ctx: unknown, token: IssuedToken) => {
      if (token.accountId) {
        const account = accounts.bySubject(token.accountId);
        return account
          ? {
              tenant: account.tenant,
              groups: account.groups,
              email: account.email,
              email_verified: true,
              name: account.name,
            }
          : undefined;
      }
      const tenant = (token.scope ?? "")
        .split(" ")
        .map((scope) => TENANT_SCOPE.exec(scope)?.[1])
        .find(Boolean);
      return { ...(tenant ? { tenant: tenant.toLowerCase() } : {}), groups: [GROUPS.service] };
    },
    ttl: {
      AccessToken: accessTokenTtl,
      ClientCredentials: accessTokenTtl,
      AuthorizationCode: 60,
      IdToken: 60 * 60,
      RefreshToken: 8 * 60 * 60,
      Interaction: 10 * 60,
      Session: 8 * 60 * 60,
      Grant: 8 * 60 * 60,
    },
    renderError: async (ctx: { type: string; body: string; status: number }, out: Record<string, string>) => {
      ctx.type = "text/plain; charset=utf-8";
      ctx.body = Object.entries(out)
        .map(([key, value]) => `${key}: ${value}`)
        .join("\n");
    },
  };
}

/**
 * A real OpenID Connect provider (oidc-provider, OpenID certified) on this machine: the given accounts
 * sign in with a password, the web app by authorization code + PKCE, services by client credentials, and
 * access tokens for {@link API_RESOURCE} are JWTs signed with keys kept in `dataDir`.
 */
export async function startIdentityProvider(
  options: IdentityProviderOptions,
): Promise<RunningIdentityProvider> {
  const host = options.host ?? "127.0.0.1";
  const accounts = new AccountStore(options.accounts);
  const keysFile = join(options.dataDir, "jwks.json");
  const cookieKeys = loadOrCreateCookieKeys(join(options.dataDir, "cookie-keys.json"));
  // Sessions and grants live in files that a rebuilt instance shares and a restart reads back: neither a
  // key reload nor a restart signs anyone out.
  const state = new FileStateStore(join(options.dataDir, "state"));
  let provider: Provider | undefined;
  let issuer = options.issuer ?? "";
  const build = (keys: KeyStoreFile) => {
    const next = new Provider(issuer, configuration(options, accounts, keys, cookieKeys, state));
    next.proxy = true;
    provider = next;
  };
  const server: Server = createServer((request, response) => {
    const current = provider;
    if (!current) {
      response.writeHead(503).end();
      return;
    }
    handleInteraction(current, accounts, request, response).then(
      (handled) => {
        if (!handled) current.callback()(request, response);
      },
      () => response.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, host, () => resolve());
  }).catch(async (error: unknown) => {
    await state.close();
    throw error;
  });
  const port = (server.address() as AddressInfo).port;
  issuer ||= `http://${host}:${port}`;
  build(loadOrCreateKeys(keysFile));
  return {
    issuer,
    port,
    keysFile,
    rotateKeys() {
      const keys = addSigningKeys(keysFile);
      build(keys);
      return keys;
    },
    retireOldKeys() {
      const { store, retired } = retireOldKeys(keysFile);
      build(store);
      return retired;
    },
    reloadKeys() {
      build(loadOrCreateKeys(keysFile));
    },
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await state.close();
    },
  };
}
