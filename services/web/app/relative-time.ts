const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const formats = new Map<string, Intl.RelativeTimeFormat>();

/** "in 3 days", "2 hours ago": the largest unit that keeps the number readable (the browser's language by default). */
export function relativeTo(at: number, now: number, locale?: string): string {
  let format = formats.get(locale ?? "");
  if (!format) {
    format = new Intl.RelativeTimeFormat(locale, { numeric: "auto" });
    formats.set(locale ?? "", format);
  }
  const delta = at - now;
  const size = Math.abs(delta);
  if (size < HOUR) return format.format(Math.round(delta / MINUTE), "minute");
  if (size < 2 * DAY) return format.format(Math.round(delta / HOUR), "hour");
  return format.format(Math.round(delta / DAY), "day");
}
