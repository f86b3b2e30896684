type Element = string | number | boolean | null | undefined;

/**
 * A Postgres array literal of `values`, for a parameter cast to an array type (`$1::uuid[]`). Equivalent
 * to what node-postgres makes of a JavaScript array, made with far less garbage: pg escapes every
 * element with two regex replaces and builds the literal piecewise, which on a batch of a few thousand
 * rows is a good share of the consumer's allocations. Here the common arrays (ids, numbers; no nulls, no
 * quotes or backslashes) are a single join. Elements are quoted, so any text is safe. One dimension only.
 */
export function arrayLiteral(values: readonly Element[]): string {
  const plain = values.every(
    (value) =>
      value !== null &&
      value !== undefined &&
      (typeof value !== "string" || (!value.includes('"') && !value.includes("\\"))),
  );
  if (plain) return values.length === 0 ? "{}" : `{"${values.join('","')}"}`;
  const parts = values.map((value) => {
    if (value === null || value === undefined) return "NULL";
    return `"${String(value).replace(/["\\]/g, "\\$&")}"`;
  });
  return `{${parts.join(",")}}`;
}
