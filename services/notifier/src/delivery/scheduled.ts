import type { BackgroundWork } from "@okr/service-kit";
import type { NotifierRuntime } from "../service.ts";
import { PollingLoop } from "./polling.ts";

/**
 * A digest builder's loop: `runOnce` every DIGEST_POLL_MS by a clock, the wall clock unless a test
 * gives one (digests are due at local times days apart; tests do not wait for them).
 */
export abstract class DigestRounds implements BackgroundWork {
  protected readonly runtime: NotifierRuntime;
  protected readonly clock: () => Date;
  readonly #loop: PollingLoop;

  constructor(runtime: NotifierRuntime, name: string, options: { clock?: () => Date } = {}) {
    this.runtime = runtime;
    this.clock = options.clock ?? (() => new Date());
    this.#loop = new PollingLoop({
      round: async () => {
        await this.runOnce();
        return false;
      },
      intervalMs: runtime.config.DIGEST_POLL_MS,
      onError: (error) => runtime.log("error", `${name}: ${error}`),
    });
  }

  start(): void {
    this.#loop.start();
  }

  stop(): Promise<void> {
    return this.#loop.stop();
  }

  /** Builds what is due by the clock's now; answers how many it built. */
  abstract runOnce(): Promise<number>;
}
