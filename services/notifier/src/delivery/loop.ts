import { setTimeout as sleep } from "node:timers/promises";
import { errorMessage } from "@okr/messaging";

/**
 * The loop of a sender: runs `round` until stopped, at once again when it says more may be due (a full
 * batch, or sends that let later deliveries go), otherwise after `pollMs`. A failed round is logged
 * and the loop goes on.
 */
export class PollingLoop {
  readonly #name: string;
  readonly #log: (level: "error", message: string) => void;
  #running = false;
  #loop: Promise<void> | undefined;
  #wake = new AbortController();

  constructor(name: string, log: (level: "error", message: string) => void) {
    this.#name = name;
    this.#log = log;
  }

  start(pollMs: number, round: () => Promise<boolean>): void {
    if (this.#running) return;
    this.#running = true;
    this.#wake = new AbortController();
    this.#loop = (async () => {
      while (this.#running) {
        let again = false;
        try {
          again = await round();
        } catch (error) {
          this.#log("error", `${this.#name}: ${errorMessage(error)}`);
        }
        if (!again) await sleep(pollMs, undefined, { signal: this.#wake.signal }).catch(() => {});
      }
    })();
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#wake.abort();
    await this.#loop;
    this.#loop = undefined;
  }
}
