import { createHash, randomBytes } from "node:crypto";
import { API_RESOURCE, SERVICE_CLIENT_ID, WEB_CLIENT_ID } from "./provider.ts";
import { SIGN_IN_SCOPES } from "./trust.ts";

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

/**
 * What a browser does to sign a person in at this provider, scripted: authorization code + PKCE through
 * the provider's own login form, then the code exchanged for an access token for the platform's APIs.
 * For the demo seed and tests; the web app does the same with a real browser. Answers the login form's
 * status when the password is refused.
 */
export async function signInWithPassword(
  options: PasswordSignIn,
): Promise<{ status: number; accessToken?: string; idToken?: string }> {
  const clientId = options.clientId ?? WEB_CLIENT_ID;
  const cookies = new Map<string, string>();
  const call = async (url: string, init: RequestInit = {}) => {
    const response = await fetch(new URL(url, options.issuer), {
      ...init,
      redirect: "manual",
      headers: {
        ...init.headers,
        cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join("; "),
      },
    });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair = ""] = cookie.split(";");
      const at = pair.indexOf("=");
      cookies.set(pair.slice(0, at), pair.slice(at + 1));
    }
    return response;
  };
  const expectRedirect = (response: Response, step: string) => {
    const location = response.headers.get("location");
    if (response.status < 300 || response.status > 399 || !location)
      throw new Error(`sign-in: ${step} answered ${response.status} instead of a redirect`);
    return location;
  };
  const verifier = randomBytes(32).toString("base64url");
  const state = randomBytes(8).toString("hex");
  const resource = options.resource === undefined ? API_RESOURCE : options.resource;
  const authorize = await call(
    `${options.authorizationEndpoint ?? "/auth"}?${new URLSearchParams({
      client_id: clientId,
      response_type: "code",
      redirect_uri: options.redirectUri,
      scope: (options.scopes ?? SIGN_IN_SCOPES).join(" "),
      ...(resource ? { resource } : {}),
      state,
      code_challenge: createHash("sha256").update(verifier).digest("base64url"),
      code_challenge_method: "S256",
    })}`,
  );
  const interaction = expectRedirect(authorize, "the authorization request");
  const form = await call(interaction);
  if (form.status !== 200) throw new Error(`sign-in: the login form answered ${form.status}`);
  const login = await call(`${interaction}/login`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ email: options.email, password: options.password }),
  });
  if (login.status === 401) return { status: 401 };
  const formUrl = new URL(interaction, options.issuer);
  const resumeUrl = new URL(expectRedirect(login, "the login"), formUrl);
  requireFormActionAllows(form, formUrl, resumeUrl);
  const resumed = await call(resumeUrl.href);
  const callback = new URL(expectRedirect(resumed, "the resumed authorization"), resumeUrl);
  requireFormActionAllows(form, formUrl, callback);
  const code = callback.searchParams.get("code");
  if (callback.searchParams.get("state") !== state || !code)
    throw new Error(`sign-in: the provider answered ${callback.searchParams.get("error") ?? "no code"}`);
  const tokenEndpoint = options.tokenEndpoint ?? "/token";
  const { origin } = options;
  // The page's own request carries no provider cookie; Swagger UI adds X-Requested-With, so a preflight.
  const pageHeaders = {
    "content-type": "application/x-www-form-urlencoded",
    "x-requested-with": "XMLHttpRequest",
  };
  if (origin) {
    const preflight = await fetch(new URL(tokenEndpoint, options.issuer), {
      method: "OPTIONS",
      headers: {
        origin,
        "access-control-request-method": "POST",
        "access-control-request-headers": Object.keys(pageHeaders).join(","),
      },
    });
    requireCorsAllowed(preflight, origin, "the token endpoint's preflight");
  }
  const exchange = await (origin ? fetch : call)(new URL(tokenEndpoint, options.issuer).href, {
    method: "POST",
    headers: origin ? { ...pageHeaders, origin } : { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      code,
      redirect_uri: options.redirectUri,
      code_verifier: verifier,
      client_id: clientId,
      ...(resource ? { resource } : {}),
    }),
  });
  if (origin) requireCorsAllowed(exchange, origin, "the token endpoint");
  const tokens = (await exchange.json()) as { access_token?: string; id_token?: string; error?: string };
  if (!exchange.ok || !tokens.access_token)
    throw new Error(`sign-in: the token endpoint answered ${exchange.status} ${tokens.error ?? ""}`);
  return {
    status: 200,
    accessToken: tokens.access_token,
    ...(tokens.id_token ? { idToken: tokens.id_token } : {}),
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
