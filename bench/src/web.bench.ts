/**
 * The web app as a person meets it, on the demo organization (30 teams, 150 people, a cycle of cascaded
 * OKRs with weeks of check-ins), in headless Chromium against the real stack in this process: the local
 * identity provider, goals and scoring on fresh databases and the real broker, the Vite build served by
 * the web app with live updates on.
 *
 * - OKR tree: from navigation to every objective of the cycle on screen, warm (the app's files cached).
 * - Check-in to score: from pressing "Save check-in" on a key result's page to its new score on screen
 *   (goals → Kafka → scoring → its score event → goals' read model or the web app's live stream).
 * - The first route's JavaScript, gzipped (what the browser fetches before it can show anything).
 * Targets: tree < 1 s median, check-in to score < 1.5 s p95, first route < 250 kB gzipped.
 * Run: `npm run bench -- web` (BENCH_WEB_RUNS, default 20).
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { loadConfig } from "@okr/config";
import { goalsService } from "@okr/goals-service/service";
import { DEFAULT_WEB_REDIRECT_URI, localIssuerTrust, startIdentityProvider } from "@okr/identity-provider";
import { DEMO_PASSWORD, demoAccounts, signInDemoAdmin } from "@okr/infra/demo/accounts.ts";
import { seedDemoOrganization } from "@okr/infra/demo/seed.ts";
import { chromiumExecutable } from "@okr/native-infra/chromium";
import { scoringService } from "@okr/scoring-service/service";
import { freePort, startTestService, testEndpoints, waitFor } from "@okr/testkit";
import { createWebApp } from "@okr/web/app";
import { WebConfigSchema } from "@okr/web/config";
import { chromium, type Page } from "playwright-core";
import { build } from "vite";
import { benchSizes, median, percentile, printTable } from "./report.ts";

const { WEB_RUNS: RUNS } = benchSizes({ WEB_RUNS: 20 });
const WARM_UP = 3;

const ms = (value: number) => `${value.toFixed(0)} ms`;

/** The JavaScript index.html makes the browser fetch before the first page shows, gzipped. */
function firstRouteBytes(distDir: string): { files: number; raw: number; gzipped: number } {
  const html = readFileSync(join(distDir, "index.html"), "utf8");
  const paths = [
    ...html.matchAll(/<(?:script[^>]*\ssrc|link[^>]*rel="modulepreload"[^>]*\shref)="([^"]+\.js)"/g),
  ]
    .map((match) => match[1] as string)
    .filter((path, i, all) => all.indexOf(path) === i);
  let raw = 0;
  let gzipped = 0;
  for (const path of paths) {
    const bytes = readFileSync(join(distDir, path.replace(/^\//, "")));
    raw += bytes.length;
    gzipped += gzipSync(bytes).length;
  }
  return { files: paths.length, raw, gzipped };
}

const distDir = mkdtempSync(join(tmpdir(), "okr-bench-web-"));
const dataDir = mkdtempSync(join(tmpdir(), "okr-bench-idp-"));
await build({
  configFile: fileURLToPath(import.meta.resolve("@okr/web/vite.config")),
  logLevel: "warn",
  build: { outDir: distDir, emptyOutDir: true, sourcemap: false },
});
const bundle = firstRouteBytes(distDir);

const webPort = await freePort();
const webUrl = `http://127.0.0.1:${webPort}`;
const accounts = demoAccounts();
const idp = await startIdentityProvider({
  port: 0,
  dataDir,
  accounts,
  // The seed's admin signs in with the default redirect URI, as `npm start` does; people use this app's.
  webRedirectUris: [`${webUrl}/auth/callback`, DEFAULT_WEB_REDIRECT_URI],
  serviceClientSecret: randomBytes(16).toString("hex"),
});
const trust = {
  AUTH_ISSUERS: JSON.stringify([localIssuerTrust(idp.issuer)]),
  RATE_LIMIT_PER_MINUTE: "0",
};
const [goals, scoring] = await Promise.all([
  startTestService(goalsService, trust),
  startTestService(scoringService, trust),
]);
const goalsUrl = await goals.app.listen({ host: "127.0.0.1", port: 0 });
const adminToken = await signInDemoAdmin(idp.issuer);
const seedStarted = performance.now();
await seedDemoOrganization({ goalsUrl, token: adminToken });
console.error(`web bench: demo organization seeded in ${ms(performance.now() - seedStarted)}`);

const asAdmin = async <T>(path: string): Promise<T> => {
  const response = await fetch(`${goalsUrl}${path}`, { headers: { authorization: `Bearer ${adminToken}` } });
  if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
};
interface TreeKr {
  id: string;
  type: string;
  baseline: number | null;
  target: number | null;
  unit: string;
  evidence: { kind: string };
}
const cycles = await asAdmin<{ items: { id: string }[] }>("/cycles");
const cycleId = (cycles.items[0] as { id: string }).id;
const tree = await asAdmin<{ objectiveCount: number; roots: { keyResults: TreeKr[] }[] }>(
  `/cycles/${cycleId}/alignment-tree`,
);
// A key result of the organization's own objectives (the admin leads the top team) that a person checks in.
const keyResult = tree.roots
  .flatMap((root) => root.keyResults)
  .find(
    (kr) =>
      (kr.type === "increase-to" || kr.type === "decrease-to") &&
      kr.baseline !== null &&
      kr.target !== null &&
      kr.evidence.kind !== "system",
  );
if (!keyResult) throw new Error("the demo cycle has no numeric key result at the top to check in on");

const web = await createWebApp(
  loadConfig(WebConfigSchema, {
    NODE_ENV: "production",
    LOG_LEVEL: "warn",
    WEB_PORT: String(webPort),
    GOALS_URL: goalsUrl,
    OIDC_ISSUER: idp.issuer,
    WEB_STATIC_DIR: distDir,
    KAFKA_BROKERS: testEndpoints().KAFKA_BROKERS,
    WEB_LIVE_GROUP: `web-live-bench-${webPort}`,
  }),
  { logger: false },
);
await web.listen({ host: "127.0.0.1", port: webPort });

const browser = await chromium.launch({
  executablePath: chromiumExecutable(),
  headless: true,
  args: ["--no-sandbox", "--disable-dev-shm-usage"],
});
const page: Page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
const admin = accounts[0] as (typeof accounts)[number];
await page.goto(webUrl);
await page.getByRole("link", { name: "Sign in" }).click();
await page.getByLabel("Email").fill(admin.email);
await page.getByLabel("Password").fill(DEMO_PASSWORD);
await page.getByRole("button", { name: "Sign in" }).click();
await page.getByRole("heading", { level: 1, name: "My work" }).waitFor({ timeout: 60_000 });

/** Navigation to the tree until every objective's article is on the page. */
async function treeRendered(): Promise<number> {
  const started = performance.now();
  await page.goto(`${webUrl}/cycles/${cycleId}`);
  await page
    .locator("main article")
    .nth(tree.objectiveCount - 1)
    .waitFor({ timeout: 30_000 });
  const elapsed = performance.now() - started;
  const shown = await page.locator("main article").count();
  if (shown !== tree.objectiveCount) throw new Error(`the tree shows ${shown} of ${tree.objectiveCount}`);
  return elapsed;
}

/** One check-in at `share` of the way from baseline to target, until the score on the page changes. */
async function checkInToScore(share: number): Promise<number> {
  const kr = keyResult as TreeKr;
  const value = (kr.baseline as number) + share * ((kr.target as number) - (kr.baseline as number));
  const score = page.locator("dl.facts .chip");
  const before = await score.textContent();
  await page.getByLabel(`Value (${kr.unit})`).fill(String(Number(value.toFixed(2))));
  await page.getByLabel("Confidence (%)").fill("70");
  await page.getByLabel("Evidence link").fill("https://dashboards.example/bench");
  await page.getByLabel("Note").fill(`bench ${share}`);
  const started = performance.now();
  await page.getByRole("button", { name: "Save check-in" }).click();
  await waitFor("the new score on screen", async () => (await score.textContent()) !== before, 30_000);
  return performance.now() - started;
}

const treeTimes: number[] = [];
for (let i = 0; i < WARM_UP + RUNS; i++) {
  const elapsed = await treeRendered();
  if (i >= WARM_UP) treeTimes.push(elapsed);
}

await page.goto(`${webUrl}/key-results/${keyResult.id}`);
await page.locator("dl.facts .chip").waitFor();
const scoreTimes: number[] = [];
for (let i = 0; i < WARM_UP + RUNS; i++) {
  // Alternate between two points far apart, so every check-in moves the score shown.
  const elapsed = await checkInToScore(i % 2 === 0 ? 0.8 : 0.2);
  if (i >= WARM_UP) scoreTimes.push(elapsed);
}

printTable(`Web app on the demo organization (${tree.objectiveCount} objectives), ${RUNS} warm runs each`, [
  ["measure", "median / p95", "target"],
  [
    "OKR tree fully rendered",
    `${ms(median(treeTimes))} / ${ms(percentile(treeTimes, 0.95))}`,
    "< 1 s median",
  ],
  [
    "check-in to score on screen",
    `${ms(median(scoreTimes))} / ${ms(percentile(scoreTimes, 0.95))}`,
    "< 1.5 s p95",
  ],
  [
    "first route JavaScript",
    `${(bundle.gzipped / 1024).toFixed(1)} kB gzipped (${(bundle.raw / 1024).toFixed(0)} kB, ${bundle.files} file(s))`,
    "< 250 kB",
  ],
]);

await browser.close();
await web.close();
await Promise.all([goals.stop(), scoring.stop()]);
await idp.close();
rmSync(distDir, { recursive: true, force: true });
rmSync(dataDir, { recursive: true, force: true });
