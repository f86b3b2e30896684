import { createHash, randomBytes } from "node:crypto";
import { API_RESOURCE, SERVICE_CLIENT_ID, WEB_CLIENT_ID } from "./provider.ts";
import { SIGN_IN_SCOPES } from "./trust.ts";

/**
 * A browser's cookies at one provider: what keeps a person signed in between authorization requests.
 * Pass the same one to several sign-ins to act as one browser.
 */
export class ProviderBrowser {
  readonly issuer: string;
  readonly #cookies = new Map<string, string>();

  constructor(issuer: string) {
    this.issuer = issuer;
  }

  /** A request without following redirects, sending and keeping the provider's cookies. */
  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const response = await fetch(new URL(url, this.issuer), {
      ...init,
      redirect: "manual",
      headers: {
        ...init.headers,
        cookie: [...this.#cookies].map(([name, value]) => `${name}=${value}`).join("; "),
      },
    });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair = ""] = cookie.split(";");
      const at = pair.indexOf("=");
      this.#cookies.set(pair.slice(0, at), pair.slice(at + 1));
    }
    return response;
  }
}

export interface PasswordSignIn {
  issuer: string;
  /** One of the web client's registered redirect URIs (the browser is never sent there). */
  redirectUri: string;
  email: string;
  password: string;
  clientId?: string;
  /** Where the browser is sent, and where the code is exchanged (default: the issuer's /auth and /token). */
  authorizationEndpoint?: string;
  tokenEndpoint?: string;
  /** Default {@link SIGN_IN_SCOPES}. */
  scopes?: readonly string[];
  /**
   * The resource indicator sent on both requests (default urn:okr:api). `null` sends none, as Swagger UI
   * does: the provider's default resource applies.
   */
  resource?: string | null;
  /**
   * The origin of the page that exchanges the code in the browser (a single-page app, Swagger UI). The
   * token request is then made as its browser makes it: a CORS preflight, then the POST with `Origin`,
   * and each answer must allow that origin, or a browser would not let the page read it.
   */
  origin?: string;
  /** A browser that may already hold a session at the provider (default: a new one). */
  browser?: ProviderBrowser;
}

/** What a browser checks before it hands a cross-origin answer to the page. */
function requireCorsAllowed(response: Response, origin: string, step: string) {
  const allowed = response.headers.get("access-control-allow-origin");
  if (allowed !== origin && allowed !== "*")
    throw new Error(`sign-in: ${step} does not allow the origin ${origin} (CORS: ${allowed ?? "no header"})`);
}

/**
 * What a browser lets a page's form lead to, the redirects after its submission included: the origins
 * of its CSP's `form-action` ('self' being the page's own), or anywhere without one.
 */
function requireFormActionAllows(page: Response, pageUrl: URL, target: URL) {
  const directive = page.headers
    .get("content-security-policy")
    ?.split(";")
    .map((part) => part.trim().split(/\s+/))
    .find(([name]) => name === "form-action");
  if (!directive) return;
  const origins = directive.slice(1).map((source) => (source === "'self'" ? pageUrl.origin : source));
  if (!origins.includes(target.origin))
    throw new Error(
      `sign-in: the login form may not lead to ${target.origin} (form-action ${origins.join(" ")})`,
    );
}

export interface AuthorizationResult {
  /** 200 with a code, or the login form's status when the password is refused. */
  status: number;
  code?: string;
  /** The PKCE verifier the code must be redeemed with. */
  verifier: string;
  /** Whether the login form was shown: false when the browser's session still held. */
  loginForm: boolean;
}

function expectRedirect(response: Response, step: string): string {
  const location = response.headers.get("location");
  if (response.status < 300 || response.status > 399 || !location)
    throw new Error(`sign-in: ${step} answered ${response.status} instead of a redirect`);
  return location;
}

const resourceOf = (options: Pick<PasswordSignIn, "resource">) =>
  options.resource === undefined ? API_RESOURCE : options.resource;

/**
 * The browser's half of authorization code + PKCE, scripted: the authorization request, the provider's
 * login form unless the browser is still signed in, and the code the provider redirects back with. Each
 * redirect after the form must be one the form's CSP `form-action` lets a browser follow.
 */
export async function requestAuthorizationCode(options: PasswordSignIn): Promise<AuthorizationResult> {
  const browser = options.browser ?? new ProviderBrowser(options.issuer);
  const verifier = randomBytes(32).toString("base64url");
  const state = randomBytes(8).toString("hex");
  const resource = resourceOf(options);
  const authorize = await browser.fetch(
    `${options.authorizationEndpoint ?? "/auth"}?${new URLSearchParams({
      client_id: options.clientId ?? WEB_CLIENT_ID,
      response_type: "code",
      redirect_uri: options.redirectUri,
      scope: (options.scopes ?? SIGN_IN_SCOPES).join(" "),
      ...(resource ? { resource } : {}),
      state,
      code_challenge: createHash("sha256").update(verifier).digest("base64url"),
      code_challenge_method: "S256",
    })}`,
  );
  let location = expectRedirect(authorize, "the authorization request");
  const loginForm = !location.startsWith(options.redirectUri);
  let callback: URL;
  if (loginForm) {
    const formUrl = new URL(location, options.issuer);
    const form = await browser.fetch(formUrl.href);
    if (form.status !== 200) throw new Error(`sign-in: the login form answered ${form.status}`);
    const login = await browser.fetch(`${formUrl.href}/login`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ email: options.email, password: options.password }),
    });
    if (login.status === 401) return { status: 401, verifier, loginForm };
    const resumeUrl = new URL(expectRedirect(login, "the login"), formUrl);
    requireFormActionAllows(form, formUrl, resumeUrl);
    location = expectRedirect(await browser.fetch(resumeUrl.href), "the resumed authorization");
    callback = new URL(location, resumeUrl);
    requireFormActionAllows(form, formUrl, callback);
  } else {
    callback = new URL(location);
  }
  const code = callback.searchParams.get("code");
  if (callback.searchParams.get("state") !== state || !code)
    throw new Error(`sign-in: the provider answered ${callback.searchParams.get("error") ?? "no code"}`);
  return { status: 200, code, verifier, loginForm };
}

/**
 * The token request for a code: the provider's answer as it is (tests read its errors). With `origin`,
 * made as a page's browser makes it (a CORS preflight, then the POST), and each answer must allow it.
 */
export async function redeemAuthorizationCode(
  options: Pick<
    PasswordSignIn,
    "issuer" | "redirectUri" | "clientId" | "tokenEndpoint" | "resource" | "origin"
  > & {
    code: string;
    verifier: string;
  },
): Promise<Response> {
  const tokenUrl = new URL(options.tokenEndpoint ?? "/token", options.issuer);
  const resource = resourceOf(options);
  const { origin } = options;
  // The page's own request carries no provider cookie; Swagger UI adds X-Requested-With, so a preflight.
  const pageHeaders = {
    "content-type": "application/x-www-form-urlencoded",
    "x-requested-with": "XMLHttpRequest",
  };
  if (origin) {
    const preflight = await fetch(tokenUrl, {
      method: "OPTIONS",
      headers: {
        origin,
        "access-control-request-method": "POST",
        "access-control-request-headers": Object.keys(pageHeaders).join(","),
      },
    });
    requireCorsAllowed(preflight, origin, "the token endpoint's preflight");
  }
  const exchange = await fetch(tokenUrl, {
    method: "POST",
    headers: origin ? { ...pageHeaders, origin } : { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      code: options.code,
      redirect_uri: options.redirectUri,
      code_verifier: options.verifier,
      client_id: options.clientId ?? WEB_CLIENT_ID,
      ...(resource ? { resource } : {}),
    }),
  });
  if (origin) requireCorsAllowed(exchange, origin, "the token endpoint");
  return exchange;
}

/**
 * What a browser does to sign a person in at this provider, scripted: authorization code + PKCE through
 * the provider's own login form, then the code exchanged for an access token for the platform's APIs.
 * For the demo seed and tests; the web app does the same with a real browser. Answers the login form's
 * status when the password is refused.
 */
export async function signInWithPassword(
  options: PasswordSignIn,
): Promise<{ status: number; accessToken?: string; idToken?: string; loginForm: boolean }> {
  const { status, code, verifier, loginForm } = await requestAuthorizationCode(options);
  if (!code) return { status, loginForm };
  const exchange = await redeemAuthorizationCode({ ...options, code, verifier });
  const tokens = (await exchange.json()) as { access_token?: string; id_token?: string; error?: string };
  if (!exchange.ok || !tokens.access_token)
    throw new Error(`sign-in: the token endpoint answered ${exchange.status} ${tokens.error ?? ""}`);
  return {
    status: 200,
    accessToken: tokens.access_token,
    ...(tokens.id_token ? { idToken: tokens.id_token } : {}),
    loginForm,
  };
}

export interface ServiceTokenRequest {
  issuer: string;
  clientSecret: string;
  /** The tenant the token names (the scope `tenant:<uuid>`). */
  tenantId: string;
  clientId?: string;
}

/**
 * A service token by client credentials, straight from this provider's token endpoint: a new token on
 * every call, for tests (services use service-kit's clientCredentialsTokens, which caches).
 */
export async function requestServiceToken(options: ServiceTokenRequest): Promise<string> {
  const clientId = options.clientId ?? SERVICE_CLIENT_ID;
  const response = await fetch(`${options.issuer}/token`, {
    method: "POST",
    headers: {
      authorization: `Basic ${Buffer.from(`${clientId}:${options.clientSecret}`).toString("base64")}`,
      "content-type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams({ grant_type: "client_credentials", scope: `api tenant:${options.tenantId}` }),
  });
  const body = (await response.json().catch(() => ({}))) as { access_token?: string; error?: string };
  if (!response.ok || !body.access_token)
    throw new Error(`client credentials: the token endpoint answered ${response.status} ${body.error ?? ""}`);
  return body.access_token;
}
