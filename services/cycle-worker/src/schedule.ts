import { addDays, type CheckInCadence, instantAt, localTime } from "@okr/goals-domain";

const MAX_DUE_TIMES = 500;

/**
 * Check-in due times on a cycle's cadence (pure): every `everyDays` days at `hour`:00 local time in the
 * cycle's time zone, starting on the first `weekday` (0 = Sunday) at or after `from`. Local wall-clock
 * arithmetic, so the hour holds across daylight-saving changes.
 */
export function checkInDueTimes(
  calendar: { timeZone: string; checkInCadence: CheckInCadence },
  from: Date,
  until: Date,
): Date[] {
  const { timeZone, checkInCadence: cadence } = calendar;
  const everyDays = Math.max(1, Math.floor(cadence.everyDays));
  const start = localTime(from, timeZone);
  const dueOn = (dayOffset: number) => instantAt(addDays(start, dayOffset), cadence.hour * 60, timeZone);
  // localTime counts weekdays 1 (Monday) to 7 (Sunday), the cadence 0 (Sunday) to 6.
  let dayOffset = (cadence.weekday - (start.weekday % 7) + 7) % 7;
  if (dueOn(dayOffset) < from) dayOffset += 7;
  const due: Date[] = [];
  for (let k = 0; due.length < MAX_DUE_TIMES; k++) {
    const at = dueOn(dayOffset + k * everyDays);
    if (at > until) break;
    due.push(at);
  }
  return due;
}
