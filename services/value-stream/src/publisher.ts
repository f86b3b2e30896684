import { setTimeout as sleep } from "node:timers/promises";
import { MetricUpdated } from "@okr/events";
import { type PendingEvent, pgTransaction, publishEvents } from "@okr/messaging";
import type { BackgroundWork } from "@okr/service-kit";
import {
  computeStreamMetrics,
  headlineValues,
  METRIC_UNITS,
  type StreamMetricName,
  significant,
  snapshotOf,
} from "./metrics.ts";
import type { ValueStreamRuntime } from "./service.ts";

export interface MetricPublisherOptions {
  /** How often to look for streams whose metrics may have moved. */
  intervalMs: number;
  /**
   * At most one recompute per stream per this long: a burst of events is coalesced into one. A stream
   * whose recompute is slow waits longer (5x its last recompute time), so recomputing never takes more
   * than a fifth of the service's time away from ingestion.
   */
  minRecomputeMs: number;
  /** Streams recomputed per pass. */
  batch?: number;
}

/**
 * Publishes MetricUpdated for streams whose metrics moved. Changes only bump a version in their own
 * transaction (cheap, never lost); this loop recomputes a stream at most once per `minRecomputeMs`, compares
 * each bindable metric with the value last published (6 significant digits) and writes one MetricUpdated per
 * metric that moved, carrying the key results bound to it, through the outbox. Replicas may run it side by
 * side: the compare-and-set on `computed_version` lets only one of them publish a given version.
 */
export class MetricPublisher implements BackgroundWork {
  readonly #runtime: ValueStreamRuntime;
  readonly #options: Required<MetricPublisherOptions>;
  #running = false;
  #loop: Promise<void> | null = null;
  #wake = new AbortController();

  constructor(runtime: ValueStreamRuntime, options: MetricPublisherOptions) {
    this.#runtime = runtime;
    this.#options = { batch: 20, ...options };
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = (async () => {
      while (this.#running) {
        try {
          await this.runOnce();
        } catch (error) {
          this.#runtime.log("error", `metric publisher: ${(error as Error).message}`);
        }
        await sleep(this.#options.intervalMs, undefined, { signal: this.#wake.signal }).catch(() => {});
      }
    })();
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#wake.abort();
    await this.#loop;
  }

  /** One pass; returns how many MetricUpdated events it wrote. */
  async runOnce(): Promise<number> {
    const { pool, db } = this.#runtime;
    const { rows } = await pool.query<{
      stream_id: string;
      tenant_id: string;
      version: number;
      last_values: Record<string, number>;
      forced_metrics: string[] | null;
    }>(
      `select stream_id, tenant_id, version, last_values, forced_metrics from stream_metric_states
       where version > computed_version
         and (computed_at is null
              or computed_at < now() - make_interval(secs => greatest($1, 5 * compute_ms / 1000.0)))
       order by dirty_since nulls first limit $2`,
      [this.#options.minRecomputeMs / 1000, this.#options.batch],
    );
    let published = 0;
    for (const row of rows) {
      const computeStarted = performance.now();
      const metrics = await computeStreamMetrics(db, pool, row.stream_id);
      const values = headlineValues(metrics);
      const bindings = await db.keyResultBinding.findMany({
        where: { streamId: row.stream_id },
        select: { keyResultId: true, metric: true },
      });
      const measuredAt = new Date().toISOString();
      const snapshot = snapshotOf(metrics);
      const forced = new Set(row.forced_metrics ?? []);
      const next: Record<string, number> = {};
      const events: PendingEvent[] = [];
      for (const [metric, value] of Object.entries(values) as [StreamMetricName, number][]) {
        const rounded = significant(value);
        if (row.last_values[metric] === rounded && !forced.has(metric)) continue;
        next[metric] = rounded;
        events.push({
          definition: MetricUpdated,
          data: {
            streamId: row.stream_id,
            metric,
            value,
            unit: METRIC_UNITS[metric],
            boundKeyResultIds: bindings.filter((b) => b.metric === metric).map((b) => b.keyResultId),
            snapshot,
            measuredAt,
          },
          context: { tenant: row.tenant_id },
        });
      }
      await pgTransaction(pool, async (tx) => {
        const claimed = await tx.client.query(
          // Merge what was published; a force that arrived after our read stays for the next pass.
          `update stream_metric_states set computed_version = $2, last_values = last_values || $3::jsonb, computed_at = now(),
             compute_ms = $5,
             dirty_since = case when version = $2 then null else dirty_since end,
             forced_metrics = array(select unnest(forced_metrics) except select unnest($4::text[]))
           where stream_id = $1 and computed_version < $2`,
          [
            row.stream_id,
            row.version,
            JSON.stringify(next),
            [...forced],
            Math.round(performance.now() - computeStarted),
          ],
        );
        if (claimed.rowCount === 0) return;
        await publishEvents(tx, events);
        published += events.length;
      });
    }
    return published;
  }
}
