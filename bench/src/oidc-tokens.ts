/**
 * The check-ins bench's second auth path: a real OpenID Connect provider (@okr/identity-provider, in this
 * process, on a free port, its keys in a temporary directory) whose ES256 access tokens the goals service
 * checks against the provider's published JWKS (AUTH_ISSUERS), next to today's HS256 tokens.
 *
 * The reused token is the provider's own, obtained by a scripted password sign-in (authorization code +
 * PKCE) of an account whose subject is the bench member's person id. The service remembers a verified
 * token, so a signature check on every request needs a distinct token per request, tens of thousands
 * per round (more than the provider's login can hand out in the time): those are signed here with
 * the provider's current signing key (read from its key file: same `kid`, so the service finds it in the
 * JWKS it fetched) and carry the provider token's claims with their own `jti`, `iat` and `exp`. The
 * service does exactly the work it does for a token the provider minted.
 */
import { createPrivateKey, randomUUID, sign } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import {
  DEFAULT_WEB_REDIRECT_URI,
  GROUPS,
  type KeyStoreFile,
  localIssuerTrust,
  type RunningIdentityProvider,
  signInWithPassword,
} from "@okr/identity-provider";
import { startTemporaryIdentityProvider } from "@okr/identity-provider/testing";

/** Long enough for the whole bench: the reused token must not expire mid-run. */
const TOKEN_TTL_SECONDS = 3600;

/** A port nothing listens on now; the provider starts on it once the person it signs in exists. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The AUTH_ISSUERS value a service needs to trust the bench's provider on `port`. */
export const benchIssuers = (port: number) => JSON.stringify([localIssuerTrust(`http://127.0.0.1:${port}`)]);

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

export interface OidcTokens {
  issuer: string;
  /** A token the provider issued to the member at sign-in. */
  token: string;
  /** `count` distinct tokens with that token's claims, signed with the provider's key. */
  distinct(count: number): string[];
  close(): Promise<void>;
}

/** Starts the provider on `port` with one member account in `tenantId` and signs the member in. */
export async function startBenchIssuer(
  port: number,
  tenantId: string,
  personId: string,
): Promise<OidcTokens> {
  const password = randomUUID();
  const email = "pat@bench.example";
  let provider: RunningIdentityProvider | undefined;
  try {
    provider = await startTemporaryIdentityProvider({
      port,
      accounts: [{ sub: personId, email, name: "Pat", password, tenant: tenantId, groups: [GROUPS.member] }],
      webRedirectUris: [DEFAULT_WEB_REDIRECT_URI],
      serviceClientSecret: randomUUID(),
      accessTokenTtlSeconds: TOKEN_TTL_SECONDS,
    });
    const signedIn = await signInWithPassword({
      issuer: provider.issuer,
      redirectUri: DEFAULT_WEB_REDIRECT_URI,
      email,
      password,
    });
    if (!signedIn.accessToken) throw new Error(`bench sign-in answered ${signedIn.status}`);
    const token = signedIn.accessToken;
    const [encodedHeader = "", encodedPayload = ""] = token.split(".");
    const header = JSON.parse(Buffer.from(encodedHeader, "base64url").toString()) as {
      alg: string;
      kid: string;
    };
    const claims = JSON.parse(Buffer.from(encodedPayload, "base64url").toString()) as Record<string, unknown>;
    const { keys } = JSON.parse(readFileSync(provider.keysFile, "utf8")) as KeyStoreFile;
    const jwk = keys.find((key) => key.kid === header.kid);
    if (header.alg !== "ES256" || !jwk)
      throw new Error(`the provider signed with ${header.alg} ${header.kid}`);
    const key = createPrivateKey({ key: jwk as never, format: "jwk" });
    const running = provider;
    return {
      issuer: running.issuer,
      token,
      distinct(count) {
        const now = Math.floor(Date.now() / 1000);
        return Array.from({ length: count }, () => {
          const body = `${encodedHeader}.${base64url({ ...claims, jti: randomUUID(), iat: now, exp: now + TOKEN_TTL_SECONDS })}`;
          const signature = sign("sha256", Buffer.from(body), { key, dsaEncoding: "ieee-p1363" });
          return `${body}.${signature.toString("base64url")}`;
        });
      },
      close: () => running.close(),
    };
  } catch (error) {
    await provider?.close();
    throw error;
  }
}
