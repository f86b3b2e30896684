import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { DEVELOPMENT_JWT_SECRET } from "@okr/config";
import {
  NATIVE_MAILPIT,
  NATIVE_SERVICE_PORTS,
  nativeIdentityIssuer,
  type PlatformEndpoints,
} from "@okr/endpoints";
import { localIssuerTrust } from "@okr/identity-provider";
import { ensureMailpit, stopMailpit } from "@okr/native-infra/mailpit";
import { DEFAULT_MAX_TOKEN_LIFETIME_SECONDS, signToken } from "@okr/service-kit";
import { DEMO_PASSWORD, demoAccounts, signInDemoAdmin } from "../demo/accounts.ts";
import { DEMO_TENANT_ID, runDemoCycle, seedDemoOrganization } from "../demo/seed.ts";
import {
  describeModes,
  dockerEngineAnswers,
  ensureNativeInfrastructure,
  type RunningInfrastructure,
} from "./infrastructure.ts";
import { bin, generatePrismaClients, ROOT, runInherited, TOOL_ENV } from "./workspace.ts";

const WEB_VITE_CONFIG = "services/web/vite.config.ts";

const AUTH = { secret: process.env.AUTH_JWT_SECRET ?? DEVELOPMENT_JWT_SECRET, issuer: "okr-platform" };
/** The printed admin token lasts a working day, never longer than the services accept (their cap). */
const ADMIN_TOKEN_SECONDS = Math.min(
  12 * 60 * 60,
  Number(process.env.AUTH_MAX_TOKEN_LIFETIME_SECONDS) || DEFAULT_MAX_TOKEN_LIFETIME_SECONDS,
);

interface PlatformProcess {
  name: string;
  entry: string;
  port?: number;
  env: (endpoints: PlatformEndpoints, identity?: { issuer: string }) => Record<string, string>;
  /** What `npm start` prints for it (default: its API docs). */
  url?: (port: number) => string;
  /** Runs only with the local identity provider (people sign in there). */
  needsIdentity?: boolean;
}

const WEB_PORT = 5173;

/** Every process `npm start` runs, with the same environment names docker-compose.yml uses. */
export const PROCESSES: PlatformProcess[] = [
  {
    name: "web",
    entry: "services/web/src/main.ts",
    port: WEB_PORT,
    env: (_e, identity) => ({
      WEB_PORT: String(WEB_PORT),
      GOALS_URL: "http://127.0.0.1:3101",
      VALUE_STREAM_URL: `http://127.0.0.1:${NATIVE_SERVICE_PORTS["value-stream"]}`,
      SCORING_URL: `http://127.0.0.1:${NATIVE_SERVICE_PORTS.scoring}`,
      ...(identity ? { OIDC_ISSUER: identity.issuer } : {}),
    }),
    url: (port) => `http://127.0.0.1:${port}/  (sign in as a demo person)`,
    needsIdentity: true,
  },
  {
    name: "goals",
    entry: "services/goals/src/main.ts",
    port: NATIVE_SERVICE_PORTS.goals,
    env: (e) => ({ DATABASE_URL: e.GOALS_DATABASE_URL }),
  },
  {
    name: "value-stream",
    entry: "services/value-stream/src/main.ts",
    port: NATIVE_SERVICE_PORTS["value-stream"],
    env: (e) => ({ DATABASE_URL: e.VALUE_STREAM_DATABASE_URL }),
  },
  {
    name: "scoring",
    entry: "services/scoring/src/main.ts",
    port: NATIVE_SERVICE_PORTS.scoring,
    env: (e) => ({ DATABASE_URL: e.SCORING_DATABASE_URL }),
  },
  {
    name: "notifier",
    entry: "services/notifier/src/main.ts",
    port: NATIVE_SERVICE_PORTS.notifier,
    env: (e) => ({ DATABASE_URL: e.NOTIFIER_DATABASE_URL }),
  },
  {
    name: "cycle-worker",
    entry: "services/cycle-worker/src/main.ts",
    env: () => ({ GOALS_URL: "http://127.0.0.1:3101", SCORING_URL: "http://127.0.0.1:3103" }),
  },
];

/**
 * `npm start`: infrastructure, migrations (each service applies its own at boot), every service and the
 * worker, a demo organization, then where to look. Ctrl-C stops everything this run started; a second
 * run reuses infrastructure that is already up.
 */
export async function start(cacheDir: string): Promise<number> {
  const began = performance.now();
  await generatePrismaClients();
  if (!process.env.TEMPORAL_ADDRESS && dockerEngineAnswers()) return startWithCompose(began);
  // The web app serves what Vite built: a build of a few seconds keeps it current with the sources.
  if ((await runInherited(bin("vite"), ["build", "--config", WEB_VITE_CONFIG, "--logLevel", "warn"])) !== 0) {
    console.error("okr start: the web app's build (vite build) failed");
    return 1;
  }

  const infra = await ensureNativeInfrastructure(cacheDir, process.env);
  console.log(`okr start: infrastructure ready (${describeModes(infra.modes)})`);
  const mail = await localMailServer(cacheDir);
  const logDir = join(cacheDir, "logs");
  mkdirSync(logDir, { recursive: true });
  const children = new Map<string, ChildProcess>();
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.log("\nokr start: stopping services...");
    await Promise.all([...children.values()].map((child) => terminate(child)));
    if (mail.started) await stopMailpit(cacheDir);
    await infra.stop();
    console.log("okr start: stopped everything this run started.");
    process.exit(code);
  };
  process.once("SIGINT", () => void stopAll(0));
  process.once("SIGTERM", () => void stopAll(0));

  for (const definition of PROCESSES) {
    if (!existsSync(join(ROOT, definition.entry))) continue;
    if (definition.needsIdentity && !infra.identity) continue;
    const logFile = join(logDir, `${definition.name}.log`);
    const child = spawn(process.execPath, [definition.entry], {
      cwd: ROOT,
      env: serviceEnvironment(definition, infra),
      stdio: ["ignore", "pipe", "pipe"],
    });
    const log = createWriteStream(logFile, { flags: "a" });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    child.once("exit", (code) => {
      if (stopping) return;
      console.error(`okr start: ${definition.name} exited with ${code}; last lines of ${logFile}:`);
      console.error(tail(logFile));
      void stopAll(1);
    });
    children.set(definition.name, child);
  }
  try {
    await Promise.all(
      PROCESSES.filter((p) => p.port && children.has(p.name)).map((p) =>
        waitReady(p.name, `http://127.0.0.1:${p.port}`),
      ),
    );
    await seedAndAnnounce(began, `${logDir}/<service>.log`, [...children.keys()], {
      identityIssuer: infra.identity?.issuer,
      mailUi: mail.ui,
    });
  } catch (error) {
    // Nothing is left running behind a failed start: the services go down with it.
    console.error(`okr start: ${(error as Error).message}`);
    await stopAll(1);
  }
  await new Promise(() => {});
  return 0;
}

/**
 * The notifier's mail server: SMTP_URL when set; else a local Mailpit on the notifier's default SMTP
 * address (built once with Go). Without one (no Go, a failed build) the platform starts all the same:
 * the notifier retries its emails, then parks them.
 */
async function localMailServer(cacheDir: string): Promise<{ started: boolean; ui?: string }> {
  if (process.env.SMTP_URL) return { started: false };
  try {
    const started = await ensureMailpit(cacheDir);
    return { started, ui: `http://${NATIVE_MAILPIT.host}:${NATIVE_MAILPIT.uiPort}` };
  } catch (error) {
    console.error(
      `okr start: no local mail server (${(error as Error).message.split("\n")[0]}); emails will be parked`,
    );
    return { started: false };
  }
}

function serviceEnvironment(definition: PlatformProcess, infra: RunningInfrastructure): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ...TOOL_ENV,
    ...infra.endpoints,
    ...definition.env(infra.endpoints, infra.identity),
    ...(definition.port ? { PORT: String(definition.port), HOST: "127.0.0.1" } : {}),
    // With the local identity provider the services trust only its tokens: no shared secret.
    ...(infra.identity
      ? identityEnvironment(infra.identity)
      : { AUTH_JWT_SECRET: AUTH.secret, AUTH_JWT_ISSUER: AUTH.issuer }),
    NODE_ENV: process.env.NODE_ENV ?? "development",
    LOG_LEVEL: process.env.LOG_LEVEL ?? "info",
  };
}

/** Services trust the local provider's tokens; the cycle worker gets its own by client credentials. */
function identityEnvironment(identity: {
  issuer: string;
  serviceClientSecret: string;
}): Record<string, string> {
  return {
    AUTH_ISSUERS: JSON.stringify([localIssuerTrust(identity.issuer)]),
    AUTH_OIDC_ISSUER: identity.issuer,
    AUTH_OIDC_CLIENT_ID: "okr-services",
    AUTH_OIDC_CLIENT_SECRET: identity.serviceClientSecret,
  };
}

/**
 * Waits for a service's /readyz. A service waits for its database and broker itself (say, a broker
 * still creating its topics on a fresh machine); what it is waiting for is printed when it changes.
 */
async function waitReady(name: string, baseUrl: string, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let reported = "";
  let waitingFor = "no answer";
  while (Date.now() < deadline) {
    const answer = await fetch(`${baseUrl}/readyz`).then(
      async (response) => ({ ok: response.ok, body: (await response.json()) as { checks?: object } }),
      () => undefined,
    );
    if (answer?.ok) return;
    if (answer) {
      waitingFor = JSON.stringify(answer.body.checks ?? answer.body);
      if (waitingFor !== reported) {
        console.log(`okr start: ${name} not ready yet: ${waitingFor}`);
        reported = waitingFor;
      }
    }
    await sleep(250);
  }
  throw new Error(`${name} did not become ready at ${baseUrl}/readyz within ${timeoutMs} ms (${waitingFor})`);
}

function terminate(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    const force = setTimeout(() => child.kill("SIGKILL"), 15_000);
    child.once("exit", () => {
      clearTimeout(force);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

function tail(file: string, lines = 30): string {
  return existsSync(file)
    ? readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n")
    : "(no log)";
}

function printWhereToLook(info: {
  seconds: number;
  demoName: string;
  demoWorkflowId: string;
  tenant: string;
  token: string;
  logDir: string;
  running: string[];
  identityIssuer?: string | undefined;
  mailUi?: string | undefined;
}): void {
  const rows = PROCESSES.filter((p) => info.running.includes(p.name)).map((p) =>
    p.port
      ? `  ${p.name.padEnd(14)} ${p.url ? p.url(p.port) : `http://127.0.0.1:${p.port}/docs`}`
      : `  ${p.name.padEnd(14)} task queue okr-cycles`,
  );
  console.log(
    [
      "",
      `OKR platform is running (ready in ${info.seconds.toFixed(1)} s):`,
      ...rows,
      `  ${"Temporal UI".padEnd(14)} http://127.0.0.1:8233  (filter cycles with: OkrPhase = "CHECK_INS")`,
      `  ${"demo org".padEnd(14)} ${info.demoName}, tenant ${info.tenant}`,
      `  ${"demo run".padEnd(14)} http://127.0.0.1:8233/namespaces/default/workflows/${encodeURIComponent(info.demoWorkflowId)}`,
      `  ${"admin token".padEnd(14)} ${info.token}${info.identityIssuer ? " (the demo admin's, 15 minutes)" : ""}`,
      ...(info.identityIssuer
        ? [
            `  ${"identity".padEnd(14)} ${info.identityIssuer}/.well-known/openid-configuration`,
            `  ${"demo sign-in".padEnd(14)} ${demoAccounts()[0]?.email} / ${DEMO_PASSWORD} (any demo person, same password)`,
          ]
        : []),
      ...(info.mailUi ? [`  ${"mail".padEnd(14)} ${info.mailUi}  (Mailpit: what the notifier sends)`] : []),
      `  ${"logs".padEnd(14)} ${info.logDir}`,
      info.identityIssuer
        ? "Authorize on any /docs page signs you in (oauth2), or takes the token (bearer). Ctrl-C stops everything this command started."
        : "Paste the token into Authorize on any /docs page. Ctrl-C stops everything this command started.",
    ].join("\n"),
  );
}

/** Seeds the demo organization through the goals API and prints where to look. */
async function seedAndAnnounce(
  began: number,
  logs: string,
  running: string[],
  local: { identityIssuer?: string | undefined; mailUi?: string | undefined },
): Promise<void> {
  const { identityIssuer } = local;
  // The demo admin signs in at the local provider; without one (AUTH_ISSUERS given) the token is HS256.
  const token = identityIssuer
    ? await signInDemoAdmin(identityIssuer)
    : await signToken(
        AUTH,
        { tenantId: DEMO_TENANT_ID, subject: "demo-admin", roles: ["admin"] },
        `${ADMIN_TOKEN_SECONDS}s`,
      );
  const demo = await seedDemoOrganization({ goalsUrl: "http://127.0.0.1:3101", token });
  const demoRun = await runDemoCycle({ goalsUrl: "http://127.0.0.1:3101", token });
  printWhereToLook({
    demoWorkflowId: demoRun.workflowId,
    seconds: (performance.now() - began) / 1000,
    demoName: demo.name,
    tenant: DEMO_TENANT_ID,
    token,
    logDir: logs,
    running,
    identityIssuer,
    mailUi: local.mailUi,
  });
}

/**
 * With a Docker engine: the whole platform from docker-compose.yml, seeded the same way. Its identity
 * service is published under the native path's issuer, so the demo admin signs in there.
 */
async function startWithCompose(began: number): Promise<number> {
  const up = await runInherited("docker", ["compose", "up", "--detach", "--build", "--wait"]);
  if (up !== 0) return up;
  await seedAndAnnounce(
    began,
    "docker compose logs",
    PROCESSES.map((p) => p.name),
    { identityIssuer: nativeIdentityIssuer, mailUi: `http://127.0.0.1:${NATIVE_MAILPIT.uiPort}` },
  );
  console.log("  traces         http://127.0.0.1:16686 (Jaeger)");
  const stop = async () => {
    await runInherited("docker", ["compose", "stop"]);
    process.exit(0);
  };
  process.once("SIGINT", () => void stop());
  process.once("SIGTERM", () => void stop());
  await new Promise(() => {});
  return 0;
}
