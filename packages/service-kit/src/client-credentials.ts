/** A service's own credentials at an OpenID Connect provider (OAuth 2.0 client credentials). */
export interface ClientCredentialsOptions {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /**
   * Where to ask for tokens instead of the discovery document's `token_endpoint`: for a provider this
   * process reaches under another address than its issuer (containers). Discovery is then not read.
   */
  tokenEndpoint?: string;
  /** How long a token request may take (default 10 s). */
  timeoutMs?: number;
}

export interface ServiceTokenSource {
  /** A token naming `tenantId`, from the cache while it has at least a quarter (at most a minute) left. */
  tokenFor(tenantId: string): Promise<string>;
}

/**
 * Service tokens by client credentials, one per tenant (asked for with the scope `tenant:<uuid>`, as
 * the local provider expects): the token endpoint is discovered once unless it is given, a token is
 * reused until shortly before it expires, and concurrent callers for the same tenant share one request.
 */
export function clientCredentialsTokens(options: ClientCredentialsOptions): ServiceTokenSource {
  const timeoutMs = options.timeoutMs ?? 10_000;
  let tokenEndpoint: Promise<string> | undefined = options.tokenEndpoint
    ? Promise.resolve(options.tokenEndpoint)
    : undefined;
  const discover = async () => {
    const url = `${options.issuer.replace(/\/$/, "")}/.well-known/openid-configuration`;
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) throw new Error(`discovery at ${url} answered ${response.status}`);
    const document = (await response.json()) as { issuer?: string; token_endpoint?: string };
    if (document.issuer !== options.issuer || !document.token_endpoint)
      throw new Error(`the discovery document at ${url} names another issuer or no token endpoint`);
    return document.token_endpoint;
  };
  const endpoint = () => {
    tokenEndpoint ??= discover().catch((error: unknown) => {
      tokenEndpoint = undefined;
      throw error;
    });
    return tokenEndpoint;
  };
  const basic = Buffer.from(
    `${encodeURIComponent(options.clientId)}:${encodeURIComponent(options.clientSecret)}`,
  ).toString("base64");
  const request = async (tenantId: string) => {
    const requestedAt = Date.now();
    const response = await fetch(await endpoint(), {
      method: "POST",
      headers: { authorization: `Basic ${basic}`, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "client_credentials", scope: `api tenant:${tenantId}` }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = (await response.json().catch(() => ({}))) as {
      access_token?: string;
      expires_in?: number;
      error?: string;
      error_description?: string;
    };
    if (!response.ok || !body.access_token || typeof body.expires_in !== "number")
      throw new Error(
        `the token endpoint answered ${response.status}: ${body.error_description ?? body.error ?? "no token"}`,
      );
    const lifetimeMs = body.expires_in * 1000;
    // Counted from when it was asked for: never later than the provider's own expiry.
    return { token: body.access_token, renewAt: requestedAt + lifetimeMs - Math.min(60_000, lifetimeMs / 4) };
  };
  const cache = new Map<string, Promise<{ token: string; renewAt: number }>>();
  return {
    async tokenFor(tenantId) {
      const cached = cache.get(tenantId);
      const current = cached && (await cached.catch(() => undefined));
      if (current && Date.now() < current.renewAt) return current.token;
      // Another caller may have started the renewal while this one waited.
      const latest = cache.get(tenantId);
      if (latest && latest !== cached) return (await latest).token;
      const next = request(tenantId);
      cache.set(tenantId, next);
      try {
        return (await next).token;
      } catch (error) {
        if (cache.get(tenantId) === next) cache.delete(tenantId);
        throw error;
      }
    },
  };
}
