/** A value of a CSV cell: text is escaped, numbers are written as they are, nothing is an empty cell. */
export type CsvValue = string | number | boolean | null | undefined;

/**
 * Text a spreadsheet would read as a formula (=, +, -, @, or a tab or carriage return first): such a
 * cell is written with a leading apostrophe, so opening an export never runs what someone typed into a
 * title or note (CSV injection).
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/** One cell per RFC 4180: quoted when it holds a comma, quote or line break, quotes doubled. */
export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "";
  if (typeof value === "boolean") return value ? "true" : "false";
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** A CSV document: the header row, then one line per row, each ended by CRLF (RFC 4180). */
export function toCsv(header: readonly string[], rows: readonly (readonly CsvValue[])[]): string {
  return [header, ...rows].map((row) => `${row.map(csvCell).join(",")}\r\n`).join("");
}
