import { setTimeout as sleep } from "node:timers/promises";
import { errorMessage } from "@okr/messaging";

/**
 * A background loop beside the HTTP server (the sender, the digest scheduler): runs `round` until
 * stopped, waiting `intervalMs` between rounds unless a round says there is more to do at once. A
 * failed round is logged and the loop goes on; stop() wakes it from its wait and lets the round finish.
 */
export class PollingLoop {
  readonly #round: () => Promise<boolean>;
  readonly #intervalMs: number;
  readonly #onError: (error: string) => void;
  #running = false;
  #loop: Promise<void> | undefined;
  #wake = new AbortController();

  constructor(options: {
    round: () => Promise<boolean>;
    intervalMs: number;
    onError: (error: string) => void;
  }) {
    this.#round = options.round;
    this.#intervalMs = options.intervalMs;
    this.#onError = options.onError;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#wake = new AbortController();
    this.#loop = (async () => {
      while (this.#running) {
        let more = false;
        try {
          more = await this.#round();
        } catch (error) {
          this.#onError(errorMessage(error));
        }
        if (!more) await sleep(this.#intervalMs, undefined, { signal: this.#wake.signal }).catch(() => {});
      }
    })();
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#wake.abort();
    await this.#loop;
  }
}
