/**
 * Wall-clock arithmetic in IANA time zones with the runtime's ICU data alone (Intl), so check-in times,
 * quiet hours and digest times follow each zone's daylight-saving changes without a date library.
 */

/** A local date and time in some zone; `weekday` is 1 (Monday) to 7 (Sunday). */
export interface LocalTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
      weekday: "short",
    });
    formatters.set(zone, formatter);
  }
  return formatter;
}

/** Whether `zone` is an IANA zone the runtime knows (e.g. Europe/Berlin, UTC). */
export function isKnownTimeZone(zone: string): boolean {
  if (!zone || zone.length > 64) return false;
  try {
    formatterFor(zone);
    return true;
  } catch {
    return false;
  }
}

const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

/** The wall clock of `zone` at `instant`. */
export function localTime(instant: Date, zone: string): LocalTime {
  const parts: Record<string, string> = {};
  for (const part of formatterFor(zone).formatToParts(instant)) parts[part.type] = part.value;
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    weekday: WEEKDAYS[parts.weekday as string] ?? 1,
  };
}

/** How far `zone`'s wall clock is ahead of UTC at `instant`, in ms (whole seconds of the instant). */
function offsetAt(instant: number, zone: string): number {
  const whole = Math.floor(instant / 1000) * 1000;
  const local = localTime(new Date(whole), zone);
  const seconds = new Date(whole).getUTCSeconds();
  const asUtc = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, seconds);
  return asUtc - whole;
}

/**
 * The instant at which `zone`'s wall clock shows the given date and minute of the day. A time the
 * clocks skip (spring forward) becomes the same wall time under the offset before the change, which
 * is that far after the gap (02:30 on Berlin's spring day is 03:30 CEST); a time they pass twice (fall
 * back) is the earlier of the two.
 */
export function instantAt(
  date: { year: number; month: number; day: number },
  minuteOfDay: number,
  zone: string,
): Date {
  const wall = Date.UTC(date.year, date.month - 1, date.day, 0, minuteOfDay);
  const day = 24 * 60 * 60 * 1000;
  const candidates = [
    ...new Set([wall - offsetAt(wall - day, zone), wall - offsetAt(wall + day, zone)]),
  ].sort((a, b) => a - b);
  const shows = (instant: number) => {
    const local = localTime(new Date(instant), zone);
    return Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute) === wall;
  };
  const exact = candidates.find(shows);
  return new Date(exact ?? wall - offsetAt(wall - day, zone));
}

/** The calendar date `days` after `date` (any month or year boundary). */
export function addDays(date: { year: number; month: number; day: number }, days: number) {
  const shifted = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: shifted.getUTCFullYear(), month: shifted.getUTCMonth() + 1, day: shifted.getUTCDate() };
}

/** `HH:MM` (00:00 to 23:59) as minutes of the day; undefined when it is not one. */
export function parseClock(value: string): number | undefined {
  const match = /^([01][0-9]|2[0-3]):([0-5][0-9])$/.exec(value);
  return match ? Number(match[1]) * 60 + Number(match[2]) : undefined;
}

export const formatClock = (minutes: number) =>
  `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;

export const isoDate = (date: { year: number; month: number; day: number }) =>
  `${date.year}-${String(date.month).padStart(2, "0")}-${String(date.day).padStart(2, "0")}`;
