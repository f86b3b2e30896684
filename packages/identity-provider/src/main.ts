/**
 * The local identity provider as a process (what `npm start` runs as an infra component):
 *
 *   node packages/identity-provider/src/main.ts serve        run it (SIGHUP re-reads the key file)
 *   node packages/identity-provider/src/main.ts rotate-keys  add a new signing key per algorithm
 *   node packages/identity-provider/src/main.ts retire-keys  drop all but the newest key per algorithm
 *
 * Environment: OIDC_DATA_DIR (keys, cookie secrets, sessions and grants), OIDC_ACCOUNTS_FILE (JSON
 * array of accounts), OIDC_SERVICE_CLIENT_SECRET, OIDC_HOST (127.0.0.1), OIDC_PORT (3180), OIDC_ISSUER (default
 * http://host:port), OIDC_WEB_REDIRECT_URIS (comma-separated), OIDC_ACCESS_TOKEN_TTL_SECONDS (900).
 */
import { join } from "node:path";
import { readAccountsFile } from "./accounts.ts";
import { addSigningKeys, retireOldKeys } from "./keys.ts";
import { DEFAULT_WEB_REDIRECT_URI, startIdentityProvider } from "./provider.ts";

// The port registry (packages/endpoints) names 3180; this package depends on no @okr package.
export const DEFAULT_IDENTITY_PORT = 3180;

function required(name: string): string {
  const value = process.env[name];
  if (!value) {
    console.error(`identity-provider: ${name} must be set`);
    process.exit(78);
  }
  return value;
}

const command = process.argv[2] ?? "serve";
const dataDir = required("OIDC_DATA_DIR");
const keysFile = join(dataDir, "jwks.json");

if (command === "rotate-keys") {
  const { keys } = addSigningKeys(keysFile);
  console.log(
    `signing with ${keys
      .filter((_, i) => i < 2)
      .map((key) => key.kid)
      .join(", ")}; send SIGHUP to the provider`,
  );
} else if (command === "retire-keys") {
  const { retired } = retireOldKeys(keysFile);
  console.log(`retired ${retired.length ? retired.join(", ") : "nothing"}; send SIGHUP to the provider`);
} else if (command === "serve") {
  const provider = await startIdentityProvider({
    host: process.env.OIDC_HOST ?? "127.0.0.1",
    port: Number(process.env.OIDC_PORT ?? DEFAULT_IDENTITY_PORT),
    ...(process.env.OIDC_ISSUER ? { issuer: process.env.OIDC_ISSUER } : {}),
    dataDir,
    accounts: readAccountsFile(required("OIDC_ACCOUNTS_FILE")),
    serviceClientSecret: required("OIDC_SERVICE_CLIENT_SECRET"),
    webRedirectUris: (process.env.OIDC_WEB_REDIRECT_URIS ?? DEFAULT_WEB_REDIRECT_URI)
      .split(",")
      .filter(Boolean),
    accessTokenTtlSeconds: Number(process.env.OIDC_ACCESS_TOKEN_TTL_SECONDS ?? 900),
  });
  console.log(`identity-provider: issuer ${provider.issuer}`);
  process.on("SIGHUP", () => {
    provider.reloadKeys();
    console.log("identity-provider: signing keys reloaded");
  });
  const stop = () => void provider.close().then(() => process.exit(0));
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
} else {
  console.error(`identity-provider: unknown command ${command} (serve, rotate-keys, retire-keys)`);
  process.exit(64);
}
