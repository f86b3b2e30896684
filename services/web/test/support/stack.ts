import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadConfig } from "@okr/config";
import { currentCycle, tenantCaller } from "@okr/e2e-tests/support";
import { goalsService } from "@okr/goals-service/service";
import { localIssuerTrust, startIdentityProvider } from "@okr/identity-provider";
import { freePort, startTestService, type TestService } from "@okr/testkit";
import { build } from "vite";
import { createWebApp } from "../../src/app.ts";
import { WebConfigSchema } from "../../src/config.ts";

/** The demo-like person the browser signs in as: an admin of the organization, with the demo password. */
export const PERSON = { name: "Ada Okafor", password: "okr-demo" };

export interface WebStack {
  webUrl: string;
  issuer: string;
  email: string;
  cycle: { id: string; name: string };
  /** For tests that seed more or run the cycle: the organization's tenant, its team, the goals service. */
  tenantId: string;
  team: { id: string; name: string };
  goals: TestService<unknown>;
  objective: { title: string; keyResultTitle: string; keyResultId: string };
  child: { title: string };
  stop(): Promise<void>;
}

/**
 * The real stack the browser tests drive: a real identity provider (its own port and keys), the real
 * goals service on a fresh database and the real broker, trusting that provider's tokens, the browser
 * app built by Vite, and the web app serving it on a free port the provider has as redirect URI.
 */
export async function startWebStack(): Promise<WebStack> {
  const staticDir = mkdtempSync(join(tmpdir(), "okr-web-dist-"));
  await build({
    configFile: fileURLToPath(new URL("../../vite.config.ts", import.meta.url)),
    logLevel: "warn",
    build: { outDir: staticDir, emptyOutDir: true, sourcemap: false },
  });
  const webPort = await freePort();
  const webUrl = `http://127.0.0.1:${webPort}`;
  const tenantId = randomUUID();
  const email = `ada.okafor.${randomUUID().slice(0, 8)}@acme-flow.example`;
  const dataDir = mkdtempSync(join(tmpdir(), "okr-web-idp-"));
  const idp = await startIdentityProvider({
    port: 0,
    dataDir,
    accounts: [
      {
        sub: `acme-flow-${randomUUID()}`,
        email,
        name: PERSON.name,
        password: PERSON.password,
        tenant: tenantId,
        groups: ["okr-admins", "okr-leaders"],
      },
    ],
    webRedirectUris: [`${webUrl}/auth/callback`],
    serviceClientSecret: randomBytes(16).toString("hex"),
    // Shorter than the web app's renewal margin: every API call renews the token with the refresh
    // token first, so the whole browser run goes through renewal (a failed one ends the session).
    accessTokenTtlSeconds: 45,
  });
  const goals = await startTestService(goalsService, {
    AUTH_ISSUERS: JSON.stringify([localIssuerTrust(idp.issuer)]),
  });
  const goalsUrl = await goals.app.listen({ host: "127.0.0.1", port: 0 });

  // The organization is seeded through the goals API by its admin, as the end-to-end tests do.
  const call = tenantCaller(tenantId, randomUUID());
  await call(goals, "PUT", "/organization", { name: "Acme Flow", mission: "Mortgages decided within a day" });
  const person = await call(goals, "POST", "/people", {
    name: PERSON.name,
    email,
    roles: ["admin", "leader"],
  });
  const team = await call(goals, "POST", "/teams", { name: "Lending", leaderIds: [person.id] });
  const cycle = await currentCycle(call, goals, "2026-Q4");
  const owner = { kind: "team", id: team.id };
  const objective = await call(goals, "POST", "/objectives", {
    cycleId: cycle.id,
    title: "Decide mortgages faster",
    kind: "committed",
    owner,
    keyResults: [
      { title: "Cut approval lead time", type: "decrease-to", baseline: 20, target: 5, unit: "days" },
      { title: "Raise first-time-right offers", type: "increase-to", baseline: 60, target: 90, unit: "%" },
    ],
  });
  const child = await call(goals, "POST", "/objectives", {
    cycleId: cycle.id,
    title: "Automate underwriting checks",
    kind: "aspirational",
    owner,
    alignedToObjectiveId: objective.id,
    keyResults: [{ title: "Automated checks", type: "increase-to", baseline: 0, target: 12, unit: "checks" }],
  });

  const config = loadConfig(WebConfigSchema, {
    NODE_ENV: "test",
    LOG_LEVEL: "warn",
    WEB_PORT: String(webPort),
    GOALS_URL: goalsUrl,
    OIDC_ISSUER: idp.issuer,
    WEB_STATIC_DIR: staticDir,
  });
  const web = await createWebApp(config, { logger: false });
  await web.listen({ host: "127.0.0.1", port: webPort });
  return {
    webUrl,
    issuer: idp.issuer,
    email,
    cycle: { id: cycle.id, name: cycle.name },
    tenantId,
    team: { id: team.id, name: team.name },
    goals,
    objective: {
      title: objective.title,
      keyResultTitle: objective.keyResults[0].title,
      keyResultId: objective.keyResults[0].id,
    },
    child: { title: child.title },
    async stop() {
      await web.close();
      await goals.stop();
      await idp.close();
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(staticDir, { recursive: true, force: true });
    },
  };
}
