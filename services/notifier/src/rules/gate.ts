import { type DigestMode, type QuietHours, quietUntil } from "./schedule.ts";

/** A person's preferences as they apply (their own, else the tenant's defaults, else the platform's). */
export interface EffectivePreferences {
  email: boolean;
  timeZone: string;
  quietHours: QuietHours | null;
  outOfOffice: { from: Date; until: Date } | null;
  digest: DigestMode;
}

/** An email the sender claimed, as far as the decision to send it now goes. */
export interface EmailToGate {
  /** A digest is itself what digest mode waits for: it is never held for one. */
  isDigest: boolean;
  /** A reminder's deadline; null for alerts and digests. */
  dueAt: Date | null;
  /** Why it was deferred before, if it was. */
  deferredReason: DeferReason | null;
}

export type DeferReason = "quiet-hours" | "out-of-office";

export type GateDecision =
  | { action: "send" }
  | { action: "defer"; until: Date; reason: DeferReason }
  | { action: "hold" }
  | { action: "skip"; reason: "email-off" | "expired" };

/**
 * Whether an email due now goes out, in this order: a person who turned email off gets none (skipped);
 * while they are out of office it waits until they are back; a reminder that waited past its deadline
 * (out of office, quiet hours) is not mailed any more (its inbox entry stays, and the cycle escalates a
 * missed deadline to the leaders itself); in digest mode it is held for the next digest; in quiet hours
 * it waits until they end. Everything else is sent.
 */
export function gateEmail(email: EmailToGate, preferences: EffectivePreferences, now: Date): GateDecision {
  if (!preferences.email) return { action: "skip", reason: "email-off" };
  const away = preferences.outOfOffice;
  if (away && away.from.getTime() <= now.getTime() && now.getTime() < away.until.getTime())
    return { action: "defer", until: away.until, reason: "out-of-office" };
  if (email.deferredReason && email.dueAt && email.dueAt.getTime() <= now.getTime())
    return { action: "skip", reason: "expired" };
  if (!email.isDigest && preferences.digest !== "immediate") return { action: "hold" };
  const quietEnd = quietUntil(now, preferences.timeZone, preferences.quietHours);
  if (quietEnd) return { action: "defer", until: quietEnd, reason: "quiet-hours" };
  return { action: "send" };
}
