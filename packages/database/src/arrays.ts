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

/**
 * `rows` as one array per column, each row's values in the order `values` lists them: the parameters of a
 * statement that writes every row at once (`select * from unnest($1::uuid[], $2::text[], ...)`). No rows,
 * no columns: callers skip the statement then.
 */
export function columnsOf<Row, Cell>(rows: readonly Row[], values: (row: Row) => readonly Cell[]): Cell[][] {
  const columns: Cell[][] = [];
  for (let r = 0; r < rows.length; r++) {
    const row = values(rows[r]!);
    for (let c = 0; c < row.length; c++) {
      columns[c] ??= new Array(rows.length);
      columns[c]![r] = row[c] as Cell;
    }
  }
  return columns;
}

/**
 * `columnsOf(rows, values)` with each column made one `arrayLiteral`: the parameters of a statement that
 * writes a large batch at once (see arrayLiteral for why). No rows, no columns, as with columnsOf.
 */
export function literalColumnsOf<Row>(
  rows: readonly Row[],
  values: (row: Row) => readonly Element[],
): string[] {
  return columnsOf(rows, values).map((column) => arrayLiteral(column));
}
