import { Worker } from "node:worker_threads";
import type { RollUpOutcome } from "./scorer/index.ts";

export interface RollUpThreadOptions {
  connectionString: string;
  applicationName: string;
}
export interface RollUpRequest {
  id: number;
  tenant: string;
  traceparent: string | undefined;
}
export type RollUpReply = { id: number; result: RollUpOutcome } | { id: number; error: string };

/**
 * Runs rollUpObjectives on a worker thread with a pool of its own, so a roll-up's JavaScript (reading
 * rows, building and serialising score events) runs beside the consumer's batches instead of taking
 * turns with them on one event loop. A thread that dies fails its roll-ups (they stay requested and are
 * retried) and is started again on the next one.
 */
export class RollUpThread {
  readonly #options: RollUpThreadOptions;
  readonly #waiting = new Map<
    number,
    { resolve: (outcome: RollUpOutcome) => void; reject: (error: Error) => void }
  >();
  #worker: Worker | undefined;
  #next = 0;

  constructor(options: RollUpThreadOptions) {
    this.#options = options;
  }

  /** Starts the thread ahead of the first roll-up (loading its modules takes a moment). */
  start(): void {
    this.#started();
  }

  run(tenant: string, traceparent: string | undefined): Promise<RollUpOutcome> {
    const worker = this.#started();
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
      worker.postMessage({ id, tenant, traceparent } satisfies RollUpRequest);
    });
  }

  /** Ends the thread's pool and then the thread (call when no roll-up is running). */
  async close(): Promise<void> {
    const worker = this.#worker;
    if (!worker) return;
    this.#worker = undefined;
    const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
    worker.postMessage({ close: true });
    // A thread that does not wind down by itself (a hung connection) is stopped.
    const timer = setTimeout(() => void worker.terminate(), 5_000);
    await exited;
    clearTimeout(timer);
  }

  #started(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(new URL("./roll-up-worker.ts", import.meta.url), { workerData: this.#options });
    worker.on("message", (reply: RollUpReply) => {
      const waiting = this.#waiting.get(reply.id);
      this.#waiting.delete(reply.id);
      if ("error" in reply) waiting?.reject(new Error(reply.error));
      else waiting?.resolve(reply.result);
    });
    const failAll = (error: Error) => {
      if (this.#worker === worker) this.#worker = undefined;
      for (const { reject } of this.#waiting.values()) reject(error);
      this.#waiting.clear();
    };
    worker.on("error", failAll);
    worker.on("exit", (code) => failAll(new Error(`roll-up thread exited with code ${code}`)));
    this.#worker = worker;
    return worker;
  }
}
