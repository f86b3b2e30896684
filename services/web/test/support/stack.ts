import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadConfig } from "@okr/config";
import { type Caller, currentCycle, tenantCaller } from "@okr/e2e-tests/support";
import { goalsService } from "@okr/goals-service/service";
import { localIssuerTrust } from "@okr/identity-provider";
import { startTemporaryIdentityProvider } from "@okr/identity-provider/testing";
import { scoringService } from "@okr/scoring-service/service";
import { freePort, startTestService, type TestService, testEndpoints } from "@okr/testkit";
import { valueStreamService } from "@okr/value-stream-service/service";
import { build } from "vite";
import { createWebApp } from "../../src/app.ts";
import { WebConfigSchema } from "../../src/config.ts";

/** The demo-like person the browser signs in as: an admin of the organization, with the demo password. */
export const PERSON = { name: "Ada Okafor", password: "okr-demo" };
/** A member (no leader or admin role) of Underwriting, the team under Ada's Lending: writes, Ada approves. */
export const MEMBER = { name: "Sam Writer", password: "okr-demo" };

export interface WebStack {
  webUrl: string;
  issuer: string;
  email: string;
  member: { id: string; email: string };
  childTeam: { id: string; name: string };
  cycle: { id: string; name: string };
  /** For tests that seed more or run the cycle: the organization's tenant and its team. */
  tenantId: string;
  team: { id: string; name: string };
  objective: { title: string; keyResultTitle: string; keyResultId: string };
  child: { title: string };
  /** Calls a service's API as the organization's admin (in-process), to set up what a test shows. */
  call: Caller;
  services: {
    goals: TestService<unknown>;
    valueStream?: TestService<unknown>;
    scoring?: TestService<unknown>;
  };
  stop(): Promise<void>;
}

/**
 * The real stack the browser tests drive: a real identity provider (its own port and keys), the real
 * goals service on a fresh database and the real broker, trusting that provider's tokens, the browser
 * app built by Vite, and the web app serving it on a free port the provider has as redirect URI. With
 * `flowServices`, the value-stream and scoring services too, behind /api/value-stream and /api/scoring.
 * With `live`, the real scoring service scores check-ins and the web app streams the scores to open pages.
 */
export async function startWebStack(
  options: { flowServices?: boolean; live?: boolean } = {},
): Promise<WebStack> {
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
  const memberEmail = `sam.writer.${randomUUID().slice(0, 8)}@acme-flow.example`;
  const idp = await startTemporaryIdentityProvider({
    accounts: [
      {
        sub: `acme-flow-${randomUUID()}`,
        email,
        name: PERSON.name,
        password: PERSON.password,
        tenant: tenantId,
        groups: ["okr-admins", "okr-leaders"],
      },
      {
        sub: `acme-flow-${randomUUID()}`,
        email: memberEmail,
        name: MEMBER.name,
        password: MEMBER.password,
        tenant: tenantId,
        groups: ["okr-members"],
      },
    ],
    webRedirectUris: [`${webUrl}/auth/callback`],
    serviceClientSecret: randomBytes(16).toString("hex"),
    // Shorter than the web app's renewal margin: every API call renews the token with the refresh
    // token first, so the whole browser run goes through renewal (a failed one ends the session).
    accessTokenTtlSeconds: 45,
  });
  const trust = { AUTH_ISSUERS: JSON.stringify([localIssuerTrust(idp.issuer)]) };
  const [goals, valueStream, scoring] = await Promise.all([
    startTestService(goalsService, trust),
    options.flowServices ? startTestService(valueStreamService, trust) : undefined,
    options.flowServices || options.live ? startTestService(scoringService, trust) : undefined,
  ]);
  const goalsUrl = await goals.app.listen({ host: "127.0.0.1", port: 0 });
  const flowUrls = {
    ...(valueStream && { VALUE_STREAM_URL: await valueStream.app.listen({ host: "127.0.0.1", port: 0 }) }),
    ...(scoring && { SCORING_URL: await scoring.app.listen({ host: "127.0.0.1", port: 0 }) }),
  };

  // The organization is seeded through the goals API by its admin, as the end-to-end tests do.
  const call = tenantCaller(tenantId, randomUUID());
  await call(goals, "PUT", "/organization", { name: "Acme Flow", mission: "Mortgages decided within a day" });
  const person = await call(goals, "POST", "/people", {
    name: PERSON.name,
    email,
    roles: ["admin", "leader"],
  });
  const team = await call(goals, "POST", "/teams", { name: "Lending", leaderIds: [person.id] });
  const member = await call(goals, "POST", "/people", {
    name: MEMBER.name,
    email: memberEmail,
    roles: ["member"],
  });
  const childTeam = await call(goals, "POST", "/teams", {
    name: "Underwriting",
    parentTeamId: team.id,
    memberIds: [member.id],
  });
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
    ...flowUrls,
    OIDC_ISSUER: idp.issuer,
    WEB_STATIC_DIR: staticDir,
    ...(options.live
      ? { KAFKA_BROKERS: testEndpoints().KAFKA_BROKERS, WEB_LIVE_GROUP: `web-live-${webPort}` }
      : {}),
  });
  const web = await createWebApp(config, { logger: false });
  await web.listen({ host: "127.0.0.1", port: webPort });
  return {
    webUrl,
    issuer: idp.issuer,
    email,
    member: { id: member.id, email: memberEmail },
    childTeam: { id: childTeam.id, name: childTeam.name },
    cycle: { id: cycle.id, name: cycle.name },
    tenantId,
    team: { id: team.id, name: team.name },
    objective: {
      title: objective.title,
      keyResultTitle: objective.keyResults[0].title,
      keyResultId: objective.keyResults[0].id,
    },
    child: { title: child.title },
    call,
    services: { goals, valueStream, scoring },
    async stop() {
      await web.close();
      await Promise.all([goals.stop(), valueStream?.stop(), scoring?.stop()]);
      await idp.close();
      rmSync(staticDir, { recursive: true, force: true });
    },
  };
}
