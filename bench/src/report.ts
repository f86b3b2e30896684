/** Shared load, printing and statistics for the benchmarks: every bench prints its figures as a small table. */

/**
 * The bench's sizes: each of `defaults` unless its environment variable BENCH_<NAME> says otherwise
 * (BENCH_RATE for RATE).
 */
export function benchSizes<const T extends Record<string, number>>(defaults: T): { [K in keyof T]: number } {
  const sizes = Object.entries(defaults).map(([name, size]) => [
    name,
    Number(process.env[`BENCH_${name}`] ?? size),
  ]);
  return Object.fromEntries(sizes) as { [K in keyof T]: number };
}

/** Runs `total` jobs with `concurrency` workers; returns jobs/s and each job's latency in ms. */
export async function drive(total: number, concurrency: number, job: (i: number) => Promise<void>) {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++;
        const t0 = performance.now();
        await job(i);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  return { rate: total / ((performance.now() - started) / 1000), latencies };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** The q-quantile (0..1) by nearest rank. */
export function percentile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
}

export function printTable(title: string, rows: [string, string, string][]): void {
  const widths = [0, 1, 2].map((column) => Math.max(...rows.map((row) => row[column]?.length ?? 0)));
  console.log(`\n${title}`);
  for (const row of rows) console.log(`  ${row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join("   ")}`);
}

/**
 * How fast this machine is right now: ms for a fixed CPU loop (3M JSON round trips on this thread). The
 * benches share two cores with Postgres, the broker and whatever else runs on the host, and the host's
 * speed varies by 1.5x hour to hour; a figure printed next to this one says which kind of hour it was.
 */
export function machineSpeed(): number {
  const started = performance.now();
  const kept: unknown[] = [];
  for (let i = 0; i < 3_000_000; i++) {
    const copy = JSON.parse(JSON.stringify({ a: i, b: `x${i}` }));
    if (i % 1000 === 0) kept.push(copy);
  }
  if (kept.length !== 3000) throw new Error("the calibration loop lost its work");
  return performance.now() - started;
}
