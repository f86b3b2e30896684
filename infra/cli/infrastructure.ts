import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { ensureDatabases } from "@okr/database";
import {
  componentsGivenByEnvironment,
  databasesLeftOut,
  type InfraComponent,
  mergeEndpoints,
  NATIVE_SERVICE_PORTS,
  nativeEndpoints,
  type PlatformEndpoints,
  SERVICE_DATABASES,
} from "@okr/endpoints";
import { DEFAULT_WEB_REDIRECT_URI } from "@okr/identity-provider";
import {
  ensureIdentityProvider,
  type IdentityProviderEndpoint,
  stopIdentityProvider,
} from "@okr/native-infra/identity";
import { ensureKafka, stopKafka } from "@okr/native-infra/kafka";
import { ensurePostgres, stopPostgres } from "@okr/native-infra/postgres";
import { ensureTemporal, stopTemporal } from "@okr/native-infra/temporal";
import { docsRedirectUri } from "@okr/service-kit";
import { writeDemoAccounts } from "../demo/accounts.ts";

export type InfraMode = "environment" | "docker" | "native";

export interface RunningInfrastructure {
  endpoints: PlatformEndpoints;
  /** How each component was resolved. */
  modes: Record<InfraComponent, InfraMode>;
  /** The local OpenID provider, when this path runs one (not when AUTH_ISSUERS names issuers already). */
  identity?: IdentityProviderEndpoint;
  /** Stops whatever this run started (and nothing it merely reused). */
  stop(): Promise<void>;
}

/**
 * Where the local provider's web client may send a person back: the web app (OIDC_WEB_REDIRECT_URIS,
 * else the provider's default) and each service's /docs, whose Authorize signs in there.
 */
export function localWebRedirectUris(env: NodeJS.ProcessEnv): string[] {
  const web = (env.OIDC_WEB_REDIRECT_URIS ?? DEFAULT_WEB_REDIRECT_URI).split(",").filter(Boolean);
  const docs = Object.values(NATIVE_SERVICE_PORTS).map((port) => docsRedirectUri(`http://127.0.0.1:${port}`));
  return [...new Set([...web, ...docs])];
}

export function dockerEngineAnswers(): boolean {
  return (
    spawnSync("docker", ["info", "--format", "{{.ServerVersion}}"], { stdio: "ignore", timeout: 10_000 })
      .status === 0
  );
}

/**
 * Resolves the infrastructure, per component: (a) endpoints given in the environment, (b) else a
 * Docker engine (the caller decides compose or testcontainers), (c) else native processes from the cache.
 */
export async function ensureNativeInfrastructure(
  cacheDir: string,
  env: NodeJS.ProcessEnv,
): Promise<RunningInfrastructure> {
  const given = componentsGivenByEnvironment(env);
  const started: InfraComponent[] = [];
  const startIfMissing = async (component: InfraComponent, ensure: () => Promise<boolean>) => {
    if (given.has(component)) return;
    if (await ensure()) started.push(component);
  };
  const modes = {} as Record<InfraComponent, InfraMode>;
  for (const component of ["postgres", "kafka", "temporal"] as const) {
    modes[component] = given.has(component) ? "environment" : "native";
  }
  let identity: (IdentityProviderEndpoint & { started: boolean }) | undefined;
  const stop = async () => {
    if (identity?.started) await stopIdentityProvider(cacheDir);
    if (started.includes("temporal")) await stopTemporal(cacheDir);
    if (started.includes("kafka")) await stopKafka(cacheDir);
    if (started.includes("postgres")) stopPostgres(cacheDir);
  };
  try {
    // Postgres and Kafka start side by side; the Temporal build/start is independent of both.
    await Promise.all([
      startIfMissing("postgres", () => ensurePostgres(cacheDir)),
      startIfMissing("kafka", () => ensureKafka(cacheDir)),
      startIfMissing("temporal", () => ensureTemporal(cacheDir)),
      (async () => {
        if (env.AUTH_ISSUERS) return;
        // The demo organization's people, as accounts of the local provider (their password: okr-demo).
        const accountsFile = join(cacheDir, "identity", "accounts.json");
        mkdirSync(join(cacheDir, "identity"), { recursive: true });
        writeDemoAccounts(accountsFile);
        identity = await ensureIdentityProvider(cacheDir, accountsFile, localWebRedirectUris(env));
      })(),
    ]);
  } catch (error) {
    await stop();
    throw error;
  }
  const endpoints = mergeEndpoints(nativeEndpoints(), env);
  // On a server the environment gives, only the databases it did not name are ours to create.
  const databases = given.has("postgres") ? databasesLeftOut(env) : SERVICE_DATABASES;
  if (databases.length > 0) {
    await ensureDatabases(
      endpoints.GOALS_DATABASE_URL,
      databases.map((db) => db.database),
    );
  }
  return { endpoints, modes, stop, ...(identity ? { identity } : {}) };
}

/**
 * Resolves infrastructure for the test and bench commands: (a) the environment, (b) testcontainers where a
 * Docker engine answers, (c) native processes from the cache.
 */
export async function resolveTestInfrastructure(
  cacheDir: string,
  env: NodeJS.ProcessEnv,
): Promise<RunningInfrastructure> {
  const given = componentsGivenByEnvironment(env);
  if (given.size < 3 && dockerEngineAnswers()) {
    const { startTestContainers } = await import("./containers.ts");
    const containers = await startTestContainers(env);
    const modes = {} as Record<InfraComponent, InfraMode>;
    for (const component of ["postgres", "kafka", "temporal"] as const) {
      modes[component] = given.has(component) ? "environment" : "docker";
    }
    return { endpoints: containers.endpoints, modes, stop: containers.stop };
  }
  return ensureNativeInfrastructure(cacheDir, env);
}

export function describeModes(modes: Record<InfraComponent, InfraMode>): string {
  return Object.entries(modes)
    .map(([component, mode]) => `${component}: ${mode}`)
    .join(", ");
}
