/**
 * Check-in writes through HTTP against a running goals service (the real service definition, in this
 * process, on a fresh database, listening on a real port, driven by concurrent keep-alive HTTP clients in a
 * worker thread: ./http-check-ins.ts): throughput and p50/p99 latency, next to raw single-row INSERT
 * transactions/s on the same Postgres in the same run (as many concurrent clients), plus the bulk
 * endpoint's check-ins/s.
 * Targets: HTTP >= 40% of the raw insert rate with p99 < 50 ms; bulk >= 20,000 check-ins/s.
 * Run: `npm run bench -- check-ins`.
 *
 * Each HTTP check-in is the whole path: JWT check, JSON Schema validation, tenant-scoped KR/objective/cycle
 * lookup with the caller's team membership, the domain rules, then one statement that inserts the row,
 * moves the KR's latest value and writes the okr.check-in.recorded.v1 outbox row. The outbox relay is not
 * running here (its throughput has its own bench), so the events stay in the outbox.
 *
 * Both auth paths are measured in the same run, interleaved (the order rotates each round): today's
 * HS256 tokens and ES256 access tokens of a real OpenID Connect provider checked against its JWKS
 * (./oidc-tokens.ts). Each path runs with one token reused (the service's verified-token cache answers)
 * and with a new token per request (one signature check per request).
 */
import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import { loadConfig, ServiceConfigSchema } from "@okr/config";
import { goalsService } from "@okr/goals-service/service";
import { type Role, signToken } from "@okr/service-kit";
import { createTestDatabase, testBus, testEndpoints } from "@okr/testkit";
import { checkInBody, postCheckIns } from "./http-check-ins.ts";
import { benchIssuers, freePort, startBenchIssuer } from "./oidc-tokens.ts";
import { benchSizes, drive, median, percentile, printTable } from "./report.ts";

const {
  CHECK_INS: REQUESTS,
  CONCURRENCY,
  BULK_CHECK_INS: BULK_TOTAL,
  ROUNDS,
} = benchSizes({ CHECK_INS: 20_000, CONCURRENCY: 32, BULK_CHECK_INS: 100_000, ROUNDS: 3 });
const BULK_BATCH = 1000;
const BULK_CONCURRENCY = 4;
const POOL = 20;

const database = await createTestDatabase({ migrationsDir: goalsService.migrationsDir, poolMax: POOL });
const endpoints = testEndpoints();
const issuerPort = await freePort();
const config = loadConfig(ServiceConfigSchema, {
  NODE_ENV: "test",
  LOG_LEVEL: "warn",
  DATABASE_URL: database.url,
  DATABASE_POOL_MAX: String(POOL),
  KAFKA_BROKERS: endpoints.KAFKA_BROKERS,
  TEMPORAL_ADDRESS: endpoints.TEMPORAL_ADDRESS,
  AUTH_JWT_SECRET: "bench-secret-0123456789abcdef",
  AUTH_ISSUERS: benchIssuers(issuerPort),
  // One member drives every check-in: a per-caller limit would measure the limit, not the path.
  RATE_LIMIT_PER_MINUTE: "0",
});
const db = goalsService.createDb(database.pool);
const { app } = await goalsService.build({
  name: "goals",
  config,
  pool: database.pool,
  db,
  bus: testBus(),
  consumerGroup: `goals-bench-${randomUUID()}`,
  log: () => {},
});
await app.listen({ host: "127.0.0.1", port: 0 });
const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

const tenantId = randomUUID();
const auth = { secret: config.AUTH_JWT_SECRET, issuer: config.AUTH_JWT_ISSUER };
const token = (roles: Role[], subject: string) => signToken(auth, { tenantId, subject, roles });
const adminToken = await token(["admin"], randomUUID());

async function call(method: string, path: string, body: unknown, bearer = adminToken) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${bearer}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} -> ${response.status} ${text}`);
  return JSON.parse(text);
}

// An organization with one team, a member of it, an open cycle and 4 x 5 objectives with 5 KRs each.
await call("PUT", "/organization", { name: "Bench Co", mission: "Measure everything" });
const member = await call("POST", "/people", { name: "Pat", email: "pat@bench.example", roles: ["member"] });
const memberToken = await token(["member"], member.id);
const keyResultIds: string[] = [];
const cycle = await call("POST", "/cycles", {
  name: "bench",
  startsAt: new Date(Date.now() - 86_400_000).toISOString(),
  endsAt: new Date(Date.now() + 80 * 86_400_000).toISOString(),
  timeZone: "UTC",
});
for (let t = 0; t < 4; t++) {
  const team = await call("POST", "/teams", { name: `Team ${t}`, memberIds: [member.id] });
  for (let o = 0; o < 5; o++) {
    const objective = await call("POST", "/objectives", {
      cycleId: cycle.id,
      title: `Objective ${t}.${o}`,
      kind: "committed",
      owner: { kind: "team", id: team.id },
      keyResults: Array.from({ length: 5 }, (_, k) => ({
        title: `KR ${k}`,
        type: "increase-to",
        baseline: 0,
        target: 100,
        unit: "%",
      })),
    });
    keyResultIds.push(...objective.keyResults.map((kr: { id: string }) => kr.id));
  }
}

const oidc = await startBenchIssuer(issuerPort, tenantId, member.id);
// A new HS256 token per request: the same claims, each with its own lifetime so no two are alike.
const distinctHs256 = (count: number) =>
  Promise.all(
    Array.from({ length: count }, (_, i) =>
      signToken(auth, { tenantId, subject: member.id, roles: ["member"] }, `${3600 + i}s`),
    ),
  );

const httpCheckIns = (tokens: string[], total = REQUESTS) =>
  postCheckIns({ base, tokens, keyResultIds, total, concurrency: CONCURRENCY });

await database.pool.query(`create table bench_raw_inserts (like check_ins including defaults)`);
async function rawInserts() {
  return drive(REQUESTS, CONCURRENCY, async (i) => {
    await database.pool.query(
      `insert into bench_raw_inserts (id, tenant_id, key_result_id, value, confidence, note, evidence_url, source, recorded_at)
       values ($1, $2, $3, $4, 0.7, 'weekly check-in', 'https://dashboards.example/okr', 'person', now())`,
      [randomUUID(), tenantId, keyResultIds[i % keyResultIds.length], i % 100],
    );
  });
}

async function bulkCheckIns() {
  const batches = Math.ceil(BULK_TOTAL / BULK_BATCH);
  const bodies = Array.from({ length: batches }, (_, b) =>
    JSON.stringify({
      checkIns: Array.from({ length: BULK_BATCH }, (_, i) => ({
        keyResultId: keyResultIds[(b * BULK_BATCH + i) % keyResultIds.length],
        ...checkInBody(i),
        evidence: { system: "ci:pipeline-metrics" },
      })),
    }),
  );
  const integration = await token(["service"], "bench-integration");
  const { rate, latencies } = await drive(batches, BULK_CONCURRENCY, async (b) => {
    const response = await fetch(`${base}/check-ins/bulk`, {
      method: "POST",
      headers: { authorization: `Bearer ${integration}`, "content-type": "application/json" },
      body: bodies[b] as string,
    });
    const result = (await response.json()) as { accepted: number };
    if (response.status !== 200 || result.accepted !== BULK_BATCH)
      throw new Error(`bulk -> ${response.status} ${JSON.stringify(result).slice(0, 300)}`);
  });
  return { rate: rate * BULK_BATCH, latencies };
}

// Warm up every path (JIT, connections, plans, the issuer's discovery document and JWKS) before measuring.
await drive(500, CONCURRENCY, async () => {
  await database.pool.query("select 1");
});
await httpCheckIns([memberToken], 1000);
await httpCheckIns([oidc.token], 1000);
await httpCheckIns(await distinctHs256(1000), 1000);
await httpCheckIns(oidc.distinct(1000), 1000);

interface Series {
  rates: number[];
  ofRaw: number[];
  p50s: number[];
  p99s: number[];
  /** CPU time of this thread (the service's event loop; the clients run in their own) per check-in, µs. */
  cpu: number[];
}
const series = (): Series => ({ rates: [], ofRaw: [], p50s: [], p99s: [], cpu: [] });
const variants: { name: string; tokens: () => Promise<string[]> | string[]; measured: Series }[] = [
  { name: "HS256, one token reused", tokens: () => [memberToken], measured: series() },
  { name: "ES256 (OIDC JWKS), one token reused", tokens: () => [oidc.token], measured: series() },
  { name: "HS256, a new token per request", tokens: () => distinctHs256(REQUESTS), measured: series() },
  {
    name: "ES256 (OIDC JWKS), a new token per request",
    tokens: () => oidc.distinct(REQUESTS),
    measured: series(),
  },
];
if (process.env.BENCH_ONLY)
  variants.splice(
    0,
    variants.length,
    ...process.env.BENCH_ONLY.split(",").map((i) => variants[Number(i)] as (typeof variants)[number]),
  );
const raw: number[] = [];
const bulk: number[] = [];
const bulkP99: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  // Rotated each round, so no path always runs first on a machine whose speed drifts; each HTTP run is
  // compared with a raw run right before it, not with one a minute older.
  for (let v = 0; v < variants.length; v++) {
    const variant = variants[(v + round) % variants.length] as (typeof variants)[number];
    const tokens = await variant.tokens();
    const rawRate = (await rawInserts()).rate;
    raw.push(rawRate);
    const cpuBefore = process.threadCpuUsage();
    const { rate, latencies } = await httpCheckIns(tokens);
    const cpu = process.threadCpuUsage(cpuBefore);
    variant.measured.cpu.push((cpu.user + cpu.system) / REQUESTS);
    variant.measured.rates.push(rate);
    variant.measured.ofRaw.push((rate / rawRate) * 100);
    variant.measured.p50s.push(percentile(latencies, 0.5));
    variant.measured.p99s.push(percentile(latencies, 0.99));
  }
  const bulkRun = await bulkCheckIns();
  bulk.push(bulkRun.rate);
  bulkP99.push(percentile(bulkRun.latencies, 0.99));
}
await oidc.close();
const written = Number((await database.pool.query("select count(*) from check_ins")).rows[0].count);
const outbox = Number(
  (
    await database.pool.query(
      "select count(*) from outbox_events where event_type = 'okr.check-in.recorded.v1'",
    )
  ).rows[0].count,
);
await app.close();
await db.$disconnect();
await database.drop();

const f = (values: number[], digits = 0) => values.map((v) => v.toFixed(digits)).join(" / ");
const range = (values: number[], digits = 0) =>
  `${Math.min(...values).toFixed(digits)}-${Math.max(...values).toFixed(digits)}`;
printTable(
  `goals check-ins: ${REQUESTS} HTTP check-ins per path x ${ROUNDS} rounds, ${CONCURRENCY} concurrent clients, pool ${POOL}; bulk ${BULK_TOTAL} in batches of ${BULK_BATCH} (${BULK_CONCURRENCY} concurrent)`,
  [
    ["raw single-row INSERT (autocommit)", `${median(raw).toFixed(0)} tx/s`, `${range(raw)} tx/s`],
    ...variants.flatMap(({ name, measured }): [string, string, string][] => [
      [`HTTP check-ins, ${name}`, `${median(measured.rates).toFixed(0)} /s`, f(measured.rates)],
      [
        "  of raw (the raw run just before)",
        `${median(measured.ofRaw).toFixed(0)} %`,
        `${range(measured.ofRaw)} %   target >= 40 %`,
      ],
      [
        "  latency p50 / p99",
        `${median(measured.p50s).toFixed(1)} / ${median(measured.p99s).toFixed(1)} ms`,
        `p50 ${range(measured.p50s, 1)}, p99 ${range(measured.p99s, 1)} ms   target p99 < 50 ms`,
      ],
      [
        "  service thread CPU per check-in",
        `${median(measured.cpu).toFixed(0)} µs`,
        `${range(measured.cpu)} µs`,
      ],
    ]),
    ["bulk POST /check-ins/bulk", `${median(bulk).toFixed(0)} check-ins/s`, `${f(bulk)}   target >= 20000`],
    ["bulk request p99 (1000 check-ins)", `${median(bulkP99).toFixed(0)} ms`, f(bulkP99)],
    ["rows written / outbox events", `${written} / ${outbox}`, "every check-in has its event"],
  ],
);
process.exit(0);
