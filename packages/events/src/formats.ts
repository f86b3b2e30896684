import { Format } from "typebox/format";

const typeboxDateTime = Format.Get("date-time")!;

const DAYS_IN_MONTH = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isDigit = (code: number) => code >= 48 && code <= 57;
/** The number in `text[from, from + length)`, or -1 when any of those is not a digit. */
function digits(text: string, from: number, length: number): number {
  let value = 0;
  for (let i = from; i < from + length; i++) {
    const code = text.charCodeAt(i);
    if (!isDigit(code)) return -1;
    value = value * 10 + code - 48;
  }
  return value;
}

/**
 * RFC 3339 date-times as `Date.prototype.toISOString` writes them (`2026-12-02T05:40:00.123Z`, fraction
 * optional): what every event carries, checked without allocating. typebox's own check builds regex
 * matches and splits for each value, a few per event, and on a consumer's hot path that garbage adds up.
 * Anything else (offsets, leap seconds, lowercase separators) goes to typebox's check.
 */
export function isDateTime(value: string): boolean {
  const length = value.length;
  if (
    length < 20 ||
    value.charCodeAt(length - 1) !== 90 /* Z */ ||
    value.charCodeAt(4) !== 45 /* - */ ||
    value.charCodeAt(7) !== 45 ||
    value.charCodeAt(10) !== 84 /* T */ ||
    value.charCodeAt(13) !== 58 /* : */ ||
    value.charCodeAt(16) !== 58
  ) {
    return typeboxDateTime(value);
  }
  if (length > 20) {
    if (value.charCodeAt(19) !== 46 /* . */ || length === 21) return typeboxDateTime(value);
    for (let i = 20; i < length - 1; i++) if (!isDigit(value.charCodeAt(i))) return false;
  }
  const year = digits(value, 0, 4);
  const month = digits(value, 5, 2);
  const day = digits(value, 8, 2);
  const hour = digits(value, 11, 2);
  const minute = digits(value, 14, 2);
  const second = digits(value, 17, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || minute < 0 || second < 0) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const monthDays = month === 2 && leap ? 29 : DAYS_IN_MONTH[month]!;
  if (second === 60) return typeboxDateTime(value);
  return day <= monthDays && hour <= 23 && minute <= 59 && second <= 59;
}

// Event schemas compile against typebox's format registry; this registers the check before any compiles.
Format.Set("date-time", isDateTime);
