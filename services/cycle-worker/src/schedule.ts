/**
 * Check-in due times on a cycle's cadence (pure): every `everyDays` days at `hour`:00 local time in the
 * cycle's time zone, starting on the first `weekday` (0 = Sunday) at or after `from`. Local wall-clock
 * arithmetic, so the hour holds across daylight-saving changes.
 */
export interface CheckInCadence {
  weekday: number;
  hour: number;
  everyDays: number;
}

const MAX_DUE_TIMES = 500;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(timeZone, format);
  }
  return format;
}

/** The wall-clock fields of an instant in a time zone. */
function wallClock(timeZone: string, at: number) {
  const parts = Object.fromEntries(
    formatter(timeZone)
      .formatToParts(new Date(at))
      .map((part) => [part.type, part.value]),
  );
  return {
    year: Number(parts.year),
    month: Number(parts.month) - 1,
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
  };
}

function offsetAt(timeZone: string, at: number): number {
  const wall = wallClock(timeZone, at);
  return (
    Date.UTC(wall.year, wall.month, wall.day, wall.hour, wall.minute, wall.second) -
    Math.floor(at / 1000) * 1000
  );
}

/** The instant a local date and hour happen in `timeZone`. */
export function zonedTime(timeZone: string, year: number, month: number, day: number, hour: number): number {
  const asUtc = Date.UTC(year, month, day, hour);
  const first = asUtc - offsetAt(timeZone, asUtc);
  return asUtc - offsetAt(timeZone, first);
}

export function checkInDueTimes(
  calendar: { timeZone: string; checkInCadence: CheckInCadence },
  from: Date,
  until: Date,
): Date[] {
  const { timeZone, checkInCadence: cadence } = calendar;
  const everyDays = Math.max(1, Math.floor(cadence.everyDays));
  const start = wallClock(timeZone, from.getTime());
  const startWeekday = new Date(Date.UTC(start.year, start.month, start.day)).getUTCDay();
  let dayOffset = (cadence.weekday - startWeekday + 7) % 7;
  if (zonedTime(timeZone, start.year, start.month, start.day + dayOffset, cadence.hour) < from.getTime())
    dayOffset += 7;
  const due: Date[] = [];
  for (let k = 0; due.length < MAX_DUE_TIMES; k++) {
    const at = zonedTime(
      timeZone,
      start.year,
      start.month,
      start.day + dayOffset + k * everyDays,
      cadence.hour,
    );
    if (at > until.getTime()) break;
    due.push(new Date(at));
  }
  return due;
}
