import { IdParams, listPage, Page, PageQuery, type PageWindow, problems } from "@okr/service-kit";
import { type TSchema, Type } from "typebox";
import type { ValueStreamDb } from "../database.ts";
import { findStream } from "../store.ts";

/** The lists of one stream's rows (GET /streams/:id/<rows>): its bindings, its kaizens. */

/** A list's schema: a page of `item`s; 404 for a stream the tenant does not have. */
export const streamListSchema = <T extends TSchema>(tag: string, summary: string, item: T) => ({
  tags: [tag],
  summary,
  params: IdParams,
  querystring: Type.Object(PageQuery, { additionalProperties: false }),
  response: { 200: Page(item), ...problems(404) },
});

/** A page of the stream's rows: `find` fetches them in the page's window, `present` shows each. */
export async function streamPage<Row extends { id: string }, Item>(
  db: ValueStreamDb,
  request: {
    principal: { tenantId: string };
    params: { id: string };
    query: { limit: number; cursor?: string };
  },
  find: (window: PageWindow<{ streamId: string }>) => Promise<Row[]>,
  present: (row: Row) => Item,
) {
  const stream = await findStream(db, request.principal.tenantId, request.params.id);
  return listPage(request.query, { streamId: stream.id }, find, present);
}
