/**
 * The check-ins bench's HTTP load generator: concurrent clients in a worker thread with their own event
 * loop, as a separate load-generating machine would be, so the service's event loop serves requests and
 * does not also run the clients. The clients use undici's request API over a keep-alive pool (one
 * connection per client), which costs a fraction of fetch's CPU per request: on two cores the load
 * generator's own cost is taken from the service and Postgres under test.
 */
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { Pool } from "undici";
import { drive } from "./report.ts";

interface HttpLoad {
  base: string;
  /** Request i sends tokens[i % tokens.length]: one token reused, or one per request. */
  tokens: string[];
  keyResultIds: string[];
  total: number;
  concurrency: number;
}

/** The i-th check-in's body (the bulk bench sends the same, with a system source as evidence). */
export const checkInBody = (i: number) => ({
  value: i % 100,
  confidence: 0.7,
  note: "weekly check-in",
  evidence: { url: "https://dashboards.example/okr" },
});

/** Posts `total` check-ins with `concurrency` clients; returns check-ins/s and each request's latency (ms). */
export function postCheckIns(load: HttpLoad): Promise<{ rate: number; latencies: number[] }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL(import.meta.url), { workerData: load });
    worker.once("message", (result: { rate: number; latencies: number[] }) => {
      resolve(result);
      void worker.terminate();
    });
    worker.once("error", reject);
  });
}

if (!isMainThread && (workerData as HttpLoad | undefined)?.keyResultIds) {
  const { base, tokens, keyResultIds, total, concurrency } = workerData as HttpLoad;
  const pool = new Pool(base, { connections: concurrency });
  const headers = tokens.map((token) => ({
    authorization: `Bearer ${token}`,
    "content-type": "application/json",
  }));
  const { rate, latencies } = await drive(total, concurrency, async (i) => {
    const response = await pool.request({
      method: "POST",
      path: `/key-results/${keyResultIds[i % keyResultIds.length]}/check-ins`,
      headers: headers[i % headers.length],
      body: JSON.stringify(checkInBody(i)),
    });
    const text = await response.body.text();
    if (response.statusCode !== 201) throw new Error(`check-in -> ${response.statusCode} ${text}`);
  });
  await pool.close();
  parentPort?.postMessage({ rate, latencies });
}
