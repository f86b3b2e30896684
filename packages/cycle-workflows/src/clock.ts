import { condition } from "@temporalio/workflow";
import type { PhaseChange } from "./api.ts";

export type WaitOutcome = "done" | "time" | "interrupted";

/**
 * A phase's deadline that pauses: while paused nothing times out, and resuming moves the deadline (and
 * every target computed with `shiftMs`) on by the paused time. Workflow code only (uses `condition`).
 */
export class PhaseClock {
  deadlineAt: number | undefined;
  paused = false;
  pausedReason: string | undefined;
  /** Total paused time so far: targets fixed before a pause add it. */
  shiftMs = 0;
  #pausedAt = 0;
  /** Bumped on every change, so a waiting loop re-reads its targets. */
  #version = 0;
  /** Called on every change and before every wait (the workflow refreshes its current details there). */
  onChange: (() => void) | undefined;

  constructor(deadlineAt?: number) {
    this.deadlineAt = deadlineAt;
  }

  touch(): void {
    this.#version++;
    this.onChange?.();
  }

  pause(reason: string): void {
    if (this.paused) return;
    this.paused = true;
    this.pausedReason = reason;
    this.#pausedAt = Date.now();
    this.touch();
  }

  resume(): void {
    if (!this.paused) return;
    const pausedFor = Date.now() - this.#pausedAt;
    this.paused = false;
    this.pausedReason = undefined;
    this.shiftMs += pausedFor;
    if (this.deadlineAt !== undefined) this.deadlineAt += pausedFor;
    this.touch();
  }

  extend(ms: number): void {
    if (this.deadlineAt !== undefined) this.deadlineAt += ms;
    this.touch();
  }

  /**
   * Waits until `done()` holds (not while paused), the target time passes (not while paused), or
   * `interrupt()` holds. The target is re-read after every change, so extensions and pauses apply.
   */
  async until(
    target: () => number | undefined,
    done: () => boolean = () => false,
    interrupt: () => boolean = () => false,
  ): Promise<WaitOutcome> {
    for (;;) {
      if (interrupt()) return "interrupted";
      if (!this.paused && done()) return "done";
      const at = target();
      if (!this.paused && at !== undefined && Date.now() >= at) return "time";
      const version = this.#version;
      const changed = () => this.#version !== version || interrupt() || (!this.paused && done());
      this.onChange?.();
      if (this.paused || at === undefined) await condition(changed);
      else await condition(changed, Math.max(1, at - Date.now()));
    }
  }
}

/**
 * A phase that looks again every `everySeconds` until a look is `done`, an admin advances (`"admin"`) or
 * the deadline passes (`"deadline"`); a pause holds the next look back by the paused time. `betweenLooks`
 * runs after a look that did not end the phase, before the wait. Answers why it ended and the last look.
 */
export async function lookUntilDeadline<T>(
  clock: PhaseClock,
  options: {
    everySeconds: number;
    look: () => Promise<T>;
    done: (found: T) => boolean;
    advanceRequested: () => boolean;
    betweenLooks?: (found: T, look: number) => Promise<unknown>;
  },
): Promise<{ reason: PhaseChange["reason"]; last: T }> {
  for (let look = 0; ; look++) {
    const found = await options.look();
    if (options.done(found)) return { reason: "complete", last: found };
    if (options.advanceRequested()) return { reason: "admin", last: found };
    if (Date.now() >= (clock.deadlineAt ?? 0)) return { reason: "deadline", last: found };
    if (options.betweenLooks) await options.betweenLooks(found, look);
    const nextLook = Date.now() + options.everySeconds * 1000;
    const shiftAtWait = clock.shiftMs;
    await clock.until(
      () => Math.min(nextLook + clock.shiftMs - shiftAtWait, clock.deadlineAt ?? nextLook),
      () => false,
      options.advanceRequested,
    );
  }
}
