import { addDays, instantAt, isoDate, type LocalTime, localTime } from "@okr/goals-domain";

/**
 * Quiet hours: a daily window of local time, `start` to `end` in minutes of the day (it wraps past
 * midnight when start > end, e.g. 20:00 to 08:00), and with `weekends` all of Saturday and Sunday.
 */
export interface QuietHours {
  start: number;
  end: number;
  weekends: boolean;
}

const inWindow = (local: LocalTime, quiet: QuietHours) => {
  const minute = local.hour * 60 + local.minute;
  if (quiet.start === quiet.end) return false;
  return quiet.start < quiet.end
    ? minute >= quiet.start && minute < quiet.end
    : minute >= quiet.start || minute < quiet.end;
};

/** Whether `instant` falls in the quiet hours of `zone`. */
export function isQuiet(instant: Date, zone: string, quiet: QuietHours): boolean {
  const local = localTime(instant, zone);
  return (quiet.weekends && local.weekday >= 6) || inWindow(local, quiet);
}

/**
 * When the quiet period around `now` ends in `zone`: the first instant after it that is not quiet, or
 * null when `now` is not quiet. An email due then is deferred to that instant, never dropped. A night
 * window that ends on a weekend day with `weekends` runs on to Monday (and through Monday's early
 * window, if that covers midnight).
 */
export function quietUntil(now: Date, zone: string, quiet: QuietHours | null): Date | null {
  if (!quiet || !isQuiet(now, zone, quiet)) return null;
  let at = now;
  // Each step leaves one quiet stretch (a weekend, a night); a week holds at most a few of them.
  for (let step = 0; step < 8 && isQuiet(at, zone, quiet); step++) {
    const local = localTime(at, zone);
    if (quiet.weekends && local.weekday >= 6) {
      at = instantAt(addDays(local, 8 - local.weekday), 0, zone);
      continue;
    }
    const minute = local.hour * 60 + local.minute;
    const endDay = quiet.start > quiet.end && minute >= quiet.start ? addDays(local, 1) : local;
    at = instantAt(endDay, quiet.end, zone);
  }
  return at;
}

export type DigestMode = "immediate" | "daily" | "weekly";

/** When digests are built: minutes of the local day, and for weekly ones the weekday (1 Monday .. 7 Sunday). */
export interface DigestTime {
  at: number;
  weekday: number;
}

/** One digest period: the digest built at `at` covers (`since`, `at`]; `key` names it uniquely per person. */
export interface DigestPeriod {
  key: string;
  since: Date;
  at: Date;
}

/**
 * The latest digest period of a daily or weekly digest that has begun by `now` in `zone`: built at the
 * local digest time (the digest weekday, for weekly ones). Its key is the mode and the local date of
 * that time, so a scheduler asking again within the period gets the same key and builds nothing twice.
 */
export function digestPeriod(
  now: Date,
  zone: string,
  mode: Exclude<DigestMode, "immediate">,
  time: DigestTime,
): DigestPeriod {
  const today = localTime(now, zone);
  let date: { year: number; month: number; day: number } = today;
  if (mode === "weekly") date = addDays(today, -((today.weekday - time.weekday + 7) % 7));
  let at = instantAt(date, time.at, zone);
  const length = mode === "weekly" ? 7 : 1;
  if (at.getTime() > now.getTime()) {
    date = addDays(date, -length);
    at = instantAt(date, time.at, zone);
  }
  return {
    key: `${mode}:${isoDate(date)}`,
    since: instantAt(addDays(date, -length), time.at, zone),
    at,
  };
}
