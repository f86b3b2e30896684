import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { NATIVE_IDENTITY, nativeIdentityIssuer } from "@okr/endpoints";
import { daemonFiles, portAnswers, startDaemon, stopDaemon } from "./processes.ts";

export { NATIVE_IDENTITY, nativeIdentityIssuer };

export interface IdentityProviderEndpoint {
  issuer: string;
  /** The secret of its service client (client credentials), kept in the cache directory. */
  serviceClientSecret: string;
}

async function answersAsIssuer(issuer: string): Promise<boolean> {
  if (!(await portAnswers(NATIVE_IDENTITY.port, NATIVE_IDENTITY.host))) return false;
  const response = await fetch(`${issuer}/.well-known/openid-configuration`, {
    signal: AbortSignal.timeout(2_000),
  });
  return response.ok && ((await response.json()) as { issuer?: string }).issuer === issuer;
}

/** The service client's secret: generated once per machine, never shipped in the repository. */
function serviceClientSecret(home: string): string {
  const file = join(home, "service-client-secret");
  if (!existsSync(file)) {
    mkdirSync(home, { recursive: true });
    writeFileSync(file, randomBytes(24).toString("base64url"), { mode: 0o600 });
  }
  return readFileSync(file, "utf8").trim();
}

/**
 * What a running provider was started with: its code, accounts file and redirect URIs. A provider left
 * running by an older checkout (other clients, CSP, adapters) is replaced instead of reused.
 */
function fingerprintOf(main: string, accountsFile: string, webRedirectUris: string[]): string {
  const hash = createHash("sha256");
  const source = dirname(main);
  for (const file of readdirSync(source)
    .filter((name) => name.endsWith(".ts"))
    .sort())
    hash.update(file).update(readFileSync(join(source, file)));
  return hash.update(accountsFile).update(webRedirectUris.join(",")).digest("hex");
}

/**
 * Starts the local OpenID provider (packages/identity-provider) on its fixed port with the accounts in
 * `accountsFile`, its signing keys kept under the cache directory; true in `started` if this call
 * started it. A running one is reused when it runs this code with these redirect URIs (the accounts it
 * was started with stay until it restarts); one this project started with anything else is restarted.
 */
export async function ensureIdentityProvider(
  cacheDir: string,
  accountsFile: string,
  webRedirectUris: string[] = [],
): Promise<IdentityProviderEndpoint & { started: boolean }> {
  const { home, logFile, pidFile } = daemonFiles(cacheDir, "identity");
  const secret = serviceClientSecret(home);
  const issuer = nativeIdentityIssuer;
  const main = fileURLToPath(import.meta.resolve("@okr/identity-provider/main"));
  const fingerprintFile = join(home, "identity.fingerprint");
  const fingerprint = fingerprintOf(main, accountsFile, webRedirectUris);
  if (await answersAsIssuer(issuer).catch(() => false)) {
    const current = existsSync(fingerprintFile) ? readFileSync(fingerprintFile, "utf8") : undefined;
    // One started elsewhere (no pid file of ours) cannot be replaced: it is used as it is.
    if (current === fingerprint || !(await stopDaemon(pidFile)))
      return { issuer, serviceClientSecret: secret, started: false };
  }
  writeFileSync(fingerprintFile, fingerprint);
  await startDaemon({
    name: "identity-provider",
    command: process.execPath,
    args: [main, "serve"],
    logFile,
    pidFile,
    env: {
      ...process.env,
      OIDC_HOST: NATIVE_IDENTITY.host,
      OIDC_PORT: String(NATIVE_IDENTITY.port),
      OIDC_DATA_DIR: home,
      OIDC_ACCOUNTS_FILE: accountsFile,
      OIDC_SERVICE_CLIENT_SECRET: secret,
      ...(webRedirectUris.length ? { OIDC_WEB_REDIRECT_URIS: webRedirectUris.join(",") } : {}),
    },
    ready: { what: "local identity provider", probe: () => answersAsIssuer(issuer), timeoutMs: 30_000 },
  });
  return { issuer, serviceClientSecret: secret, started: true };
}

export async function stopIdentityProvider(cacheDir: string): Promise<boolean> {
  return stopDaemon(daemonFiles(cacheDir, "identity").pidFile);
}
