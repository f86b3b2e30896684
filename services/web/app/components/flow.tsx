/** Lean figures as people read them on a map: minutes, hours or working days, and shares in percent. */
const oneDecimal = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });

export function minutes(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "–";
  if (value < 120) return `${oneDecimal.format(value)} min`;
  return `${oneDecimal.format(value / 60)} h`;
}

export const workingDays = (value: number | null | undefined) =>
  value === null || value === undefined || !Number.isFinite(value) ? "–" : `${oneDecimal.format(value)} d`;

export const share = (value: number | null | undefined) =>
  value === null || value === undefined || !Number.isFinite(value)
    ? "–"
    : `${oneDecimal.format(value * 100)} %`;

export const count = (value: number | null | undefined) =>
  value === null || value === undefined || !Number.isFinite(value) ? "–" : oneDecimal.format(value);

const twoDigits = new Intl.NumberFormat(undefined, { maximumSignificantDigits: 2 });
/** A rate such as throughput a day: small ones (one item a month) keep their first digits. */
export const rate = (value: number | null | undefined) =>
  value === null || value === undefined || !Number.isFinite(value) ? "–" : twoDigits.format(value);
