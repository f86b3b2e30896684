/**
 * The sends a sender has started and not yet finished, at most `limit` at once: the sender claims more
 * while earlier ones are still in flight instead of waiting for a whole batch, and stop() drains it.
 */
export class InFlight {
  readonly #limit: number;
  readonly #running = new Set<Promise<void>>();

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** How many more may start now. */
  get room(): number {
    return this.#limit - this.#running.size;
  }

  /** Starts tracking `work`, which must not reject (a send records its own failure). */
  add(work: Promise<void>): void {
    const tracked = work.finally(() => this.#running.delete(tracked));
    this.#running.add(tracked);
  }

  /** Resolves once at least `wanted` more may start (at once when there is room already). */
  async waitForRoom(wanted: number): Promise<void> {
    while (this.room < Math.min(wanted, this.#limit)) await Promise.race(this.#running);
  }

  /** Resolves once every send started so far has finished. */
  async drain(): Promise<void> {
    while (this.#running.size > 0) await Promise.all(this.#running);
  }
}
