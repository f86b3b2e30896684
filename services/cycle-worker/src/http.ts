import { type ServiceTokenSource, signToken } from "@okr/service-kit";
import { injectTraceHeaders } from "@okr/telemetry";
import { ApplicationFailure } from "@temporalio/common";

/** Problem types a retry cannot fix: the workflow's retry policy lists them as non-retryable. */
const NON_RETRYABLE: Record<number, string> = {
  400: "BadRequest",
  401: "Unauthorized",
  403: "Forbidden",
  404: "NotFound",
  409: "Conflict",
  422: "BadRequest",
};

export interface ServiceCaller {
  call<T>(
    tenantId: string,
    method: "GET" | "POST",
    path: string,
    options?: { body?: unknown; idempotencyKey?: string; accept?: number[] },
  ): Promise<{ status: number; body: T }>;
}

/** How long the worker's own tokens live unless the services' cap is shorter. */
export const WORKER_TOKEN_LIFETIME_SECONDS = 15 * 60;

/**
 * Calls a platform service as the worker: a `service` JWT per tenant (re-signed shortly before it
 * expires, so a long-running worker never sends an expired one), the active trace in `traceparent`, an
 * Idempotency-Key on retried writes, and a 4xx turned into a non-retryable ApplicationFailure that names
 * the problem (5xx and network errors retry).
 */
export function serviceCaller(options: {
  baseUrl: string;
  /** Tokens signed with the shared HS256 secret (tests and benches; the fallback without an issuer). */
  auth?: { secret: string; issuer: string };
  /** Tokens from an identity provider by client credentials: used instead of `auth` when given. */
  tokens?: ServiceTokenSource;
  /** At most the services' AUTH_MAX_TOKEN_LIFETIME_SECONDS, or they refuse the token. */
  tokenLifetimeSeconds?: number;
  timeoutMs?: number;
}): ServiceCaller {
  const lifetime = options.tokenLifetimeSeconds ?? WORKER_TOKEN_LIFETIME_SECONDS;
  const renewBeforeMs = Math.min(60_000, (lifetime * 1000) / 4);
  const tokens = new Map<string, { token: string; expiresAt: number }>();
  const signed = async (tenantId: string, auth: { secret: string; issuer: string }) => {
    const cached = tokens.get(tenantId);
    if (cached && cached.expiresAt > Date.now() + renewBeforeMs) return cached.token;
    // exp counts whole seconds from the signing second: this estimate is never later than the real one.
    const expiresAt = (Math.floor(Date.now() / 1000) + lifetime) * 1000;
    const token = await signToken(
      auth,
      { tenantId, subject: "cycle-worker", roles: ["service"] },
      `${lifetime}s`,
    );
    tokens.set(tenantId, { token, expiresAt });
    return token;
  };
  const { auth, tokens: source } = options;
  if (!source && !auth) throw new Error("serviceCaller needs a token source or an HS256 secret");
  const tokenFor = (tenantId: string) =>
    source ? source.tokenFor(tenantId) : signed(tenantId, auth as { secret: string; issuer: string });
  return {
    async call<T>(
      tenantId: string,
      method: "GET" | "POST",
      path: string,
      call: { body?: unknown; idempotencyKey?: string; accept?: number[] } = {},
    ) {
      const headers: Record<string, string> = injectTraceHeaders({
        authorization: `Bearer ${await tokenFor(tenantId)}`,
        accept: "application/json",
      });
      if (call.body !== undefined) headers["content-type"] = "application/json";
      if (call.idempotencyKey) headers["idempotency-key"] = call.idempotencyKey;
      const response = await fetch(new URL(path, options.baseUrl), {
        method,
        headers,
        ...(call.body !== undefined ? { body: JSON.stringify(call.body) } : {}),
        signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
      });
      const text = await response.text();
      const body = (text ? JSON.parse(text) : undefined) as T;
      if (response.ok || call.accept?.includes(response.status)) return { status: response.status, body };
      const detail = (body as { detail?: string } | undefined)?.detail ?? response.statusText;
      const message = `${method} ${path} answered ${response.status}: ${detail}`;
      const type = NON_RETRYABLE[response.status];
      if (type) throw ApplicationFailure.nonRetryable(message, type);
      throw ApplicationFailure.retryable(message, "ServiceUnavailable");
    },
  };
}
