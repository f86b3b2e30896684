import { setTimeout as sleep } from "node:timers/promises";
import { errorMessage } from "@okr/messaging";

/**
 * A background loop beside the HTTP server (the sender, the digest scheduler): runs `round` until
 * stopped, waiting `intervalMs` between rounds unless a round says there is more to do at once. A
 * failed round is logged and the loop goes on; stop() wakes it from its wait and lets the round finish.
 * wake() starts the next round now rather than after the wait (work arrived in this process).
 */
export class PollingLoop {
  readonly #round: () => Promise<boolean>;
  readonly #intervalMs: number;
  readonly #onError: (error: string) => void;
  #running = false;
  #loop: Promise<void> | undefined;
  #stopped = new AbortController();
  #nap = new AbortController();
  #woken = false;

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
    this.#stopped = new AbortController();
    this.#loop = (async () => {
      while (this.#running) {
        this.#woken = false;
        let more = false;
        try {
          more = await this.#round();
        } catch (error) {
          this.#onError(errorMessage(error));
        }
        if (!more && !this.#woken) await this.#wait();
      }
    })();
  }

  /** Ends the current wait, or, during a round, lets the next round follow it at once. */
  wake(): void {
    this.#woken = true;
    this.#nap.abort();
  }

  async #wait(): Promise<void> {
    this.#nap = new AbortController();
    const signal = AbortSignal.any([this.#stopped.signal, this.#nap.signal]);
    await sleep(this.#intervalMs, undefined, { signal }).catch(() => {});
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#stopped.abort();
    await this.#loop;
  }
}
