import * as client from "openid-client";

/** What a signed-in session holds from the provider: never sent to the browser. */
export interface TokenSet {
  accessToken: string;
  /** Epoch milliseconds at which the access token expires. */
  expiresAt: number;
  refreshToken?: string | undefined;
  idToken?: string | undefined;
}

export interface SignedInPerson {
  subject: string;
  name?: string | undefined;
  email?: string | undefined;
}

export interface PendingSignIn {
  state: string;
  codeVerifier: string;
}

export interface OidcOptions {
  issuer: string;
  /** The provider's origin as this process reaches it, when that is not the issuer's (see rebaseTo). */
  backchannelUrl?: string | undefined;
  clientId: string;
  redirectUri: string;
  resource: string;
  scopes: string;
}

/** A token is renewed this long before it expires, so a request never leaves with one about to lapse. */
const RENEW_BEFORE_MS = 60_000;

/**
 * Authorization code + PKCE against the configured issuer (openid-client does the protocol and the ID
 * token checks). Discovery happens on first use, so the app starts while its provider is still down.
 */
export class OidcClient {
  readonly #options: OidcOptions;
  #configuration: Promise<client.Configuration> | undefined;

  constructor(options: OidcOptions) {
    this.#options = options;
  }

  #config(): Promise<client.Configuration> {
    this.#configuration ??= client
      .discovery(new URL(this.#options.issuer), this.#options.clientId, undefined, client.None(), {
        // A local provider on plain HTTP (development, tests); an https issuer never needs this.
        ...(this.#options.issuer.startsWith("http:") ? { execute: [client.allowInsecureRequests] } : {}),
        ...(this.#options.backchannelUrl
          ? { [client.customFetch]: rebaseTo(this.#options.issuer, this.#options.backchannelUrl) }
          : {}),
      })
      .catch((error: unknown) => {
        this.#configuration = undefined;
        throw error;
      });
    return this.#configuration;
  }

  /** Where to send the browser to sign in, and what the callback must match. */
  async beginSignIn(): Promise<{ url: URL; pending: PendingSignIn }> {
    const config = await this.#config();
    const codeVerifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: this.#options.redirectUri,
      scope: this.#options.scopes,
      resource: this.#options.resource,
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: "S256",
      state,
    });
    return { url, pending: { state, codeVerifier } };
  }

  /** Exchanges the callback's code for tokens; throws when the state, code or ID token does not check. */
  async completeSignIn(
    callbackUrl: URL,
    pending: PendingSignIn,
  ): Promise<{ tokens: TokenSet; person: SignedInPerson }> {
    const config = await this.#config();
    const response = await client.authorizationCodeGrant(
      config,
      callbackUrl,
      { pkceCodeVerifier: pending.codeVerifier, expectedState: pending.state, idTokenExpected: true },
      { resource: this.#options.resource },
    );
    const claims = response.claims();
    if (!claims) throw new Error("the provider sent no ID token");
    return {
      tokens: tokenSet(response),
      person: {
        subject: claims.sub,
        name: typeof claims.name === "string" ? claims.name : undefined,
        email: typeof claims.email === "string" ? claims.email : undefined,
      },
    };
  }

  /** True when the access token should be renewed before it is used. */
  static needsRenewal(tokens: TokenSet, now = Date.now()): boolean {
    return tokens.expiresAt - now < RENEW_BEFORE_MS;
  }

  async refresh(tokens: TokenSet): Promise<TokenSet> {
    if (!tokens.refreshToken) throw new Error("the session has no refresh token");
    const config = await this.#config();
    const response = await client.refreshTokenGrant(config, tokens.refreshToken, {
      resource: this.#options.resource,
    });
    const renewed = tokenSet(response);
    return {
      ...renewed,
      refreshToken: renewed.refreshToken ?? tokens.refreshToken,
      idToken: renewed.idToken ?? tokens.idToken,
    };
  }

  /** The provider's end-session URL for this ID token, or undefined when the provider has none. */
  async endSessionUrl(idToken: string | undefined): Promise<string | undefined> {
    const config = await this.#config();
    if (!config.serverMetadata().end_session_endpoint) return undefined;
    return client
      .buildEndSessionUrl(config, {
        client_id: this.#options.clientId,
        ...(idToken ? { id_token_hint: idToken } : {}),
      })
      .toString();
  }
}

/**
 * A fetch that sends requests for the issuer's origin to another origin, as a reverse proxy would: with
 * X-Forwarded-Host/-Proto naming the issuer, so the provider still writes its endpoints under the issuer's
 * address (the one browsers use). Only this process's own requests (discovery, token, refresh) take the
 * other route; the ID token's `iss` is still checked against the issuer.
 */
export function rebaseTo(issuer: string, backchannelUrl: string): client.CustomFetch {
  const from = new URL(issuer);
  const to = new URL(backchannelUrl).origin;
  const forwarded = { "x-forwarded-host": from.host, "x-forwarded-proto": from.protocol.slice(0, -1) };
  return (url, options) => {
    const target = new URL(url);
    if (target.origin !== from.origin) return fetch(url, options);
    return fetch(`${to}${target.pathname}${target.search}`, {
      ...options,
      headers: { ...options.headers, ...forwarded },
    });
  };
}

function tokenSet(response: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers): TokenSet {
  const expiresIn = response.expiresIn() ?? 300;
  return {
    accessToken: response.access_token,
    expiresAt: Date.now() + expiresIn * 1000,
    refreshToken: response.refresh_token,
    idToken: response.id_token,
  };
}
