import { type TSchema, Type } from "typebox";
import { Uuid } from "./schemas.ts";

/**
 * Cursor pagination, the same on every list: `cursor` is the last id of the previous page (ids are
 * time-ordered UUIDv7, so id order is creation order), `limit` caps the page.
 */
export const PageQuery = {
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100, description: "items per page" }),
  cursor: Type.Optional(Uuid("the nextCursor of the previous page")),
};

/** A page of `item`s; `nextCursor` is null on the last page. */
export const Page = <T extends TSchema>(item: T) =>
  Type.Object({
    items: Type.Array(item),
    nextCursor: Type.Union([Uuid(), Type.Null()], {
      description: "pass as cursor for the next page; null on the last page",
    }),
  });

/** Cuts the `limit + 1` rows a list query fetched into the page and the cursor of the next one. */
export const page = <T extends { id: string }>(rows: T[], limit: number) => {
  const items = rows.slice(0, limit);
  return { items, nextCursor: rows.length > limit ? (items[items.length - 1]?.id ?? null) : null };
};

/** What a list query is given to fetch one page: its filter, ids past the cursor, in id order, `limit + 1` rows. */
export interface PageWindow<Where> {
  where: Where & { id?: { gt: string } };
  orderBy: { id: "asc" };
  take: number;
}

/**
 * One page of a list: `find` fetches the rows matching `where` in the page's window (see `PageWindow`),
 * and each item is shown as `present` shows it.
 */
export async function listPage<Where extends object, Row extends { id: string }, Item>(
  query: { limit: number; cursor?: string | undefined },
  where: Where,
  find: (window: PageWindow<Where>) => Promise<Row[]>,
  present: (row: Row) => Item,
): Promise<{ items: Item[]; nextCursor: string | null }> {
  const rows = await find({
    where: { ...where, ...(query.cursor ? { id: { gt: query.cursor } } : {}) },
    orderBy: { id: "asc" },
    take: query.limit + 1,
  });
  const result = page(rows, query.limit);
  return { items: result.items.map(present), nextCursor: result.nextCursor };
}
