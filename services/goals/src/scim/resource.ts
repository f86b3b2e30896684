import type { FastifyReply, FastifySchema } from "fastify";
import { type TSchema, Type } from "typebox";
import {
  IdParam,
  LIST_SCHEMA,
  ListQuery,
  ListResponse,
  locationOf,
  scimErrors,
  scimResponse,
  scimRoute,
  scimSchema,
  sendScim,
} from "./protocol.ts";

/**
 * What the Users and Groups routes share: their route options (those of a create, a list and a read the
 * same for both), the query strings of a list and of one resource, `meta`, and the list and created
 * answers.
 */

/** A SCIM resource route's options: the provisioning token, the SCIM media types, the `scim` tag. */
export const resourceRoute = <S extends FastifySchema>(schema: S) => ({
  ...scimRoute,
  schema: { ...scimSchema, tags: ["scim"], ...schema },
});

export const ListQuerystring = Type.Object(ListQuery, { additionalProperties: false });
export const OneQuerystring = Type.Object(
  { attributes: ListQuery.attributes, excludedAttributes: ListQuery.excludedAttributes },
  { additionalProperties: false },
);

type ScimResponse = ReturnType<typeof scimResponse>;

/** Creating a resource (POST to its collection): 201 with `created`. */
export const createRoute = <B extends TSchema>(summary: string, body: B, created: ScimResponse) =>
  resourceRoute({ summary, body, response: { 201: created, ...scimErrors(400, 409, 413, 415) } });

/** Listing or filtering a collection (GET): a ListResponse of `resource`. */
export const listRoute = (summary: string, resource: TSchema) =>
  resourceRoute({
    summary,
    querystring: ListQuerystring,
    response: { 200: scimResponse(ListResponse(resource), "A SCIM ListResponse"), ...scimErrors(400) },
  });

/** Reading one resource by its id (GET), with `attributes` or `excludedAttributes`. */
export const readRoute = (summary: string, found: ScimResponse) =>
  resourceRoute({
    summary,
    params: IdParam,
    querystring: OneQuerystring,
    response: { 200: found, ...scimErrors(400, 404) },
  });

export const Meta = Type.Object({
  resourceType: Type.String(),
  created: Type.String(),
  lastModified: Type.String(),
  location: Type.String(),
});

export const metaOf = (
  resourceType: "User" | "Group",
  row: { id: string; createdAt: Date; updatedAt: Date },
) => ({
  resourceType,
  created: row.createdAt.toISOString(),
  lastModified: row.updatedAt.toISOString(),
  location: locationOf(`${resourceType}s`, row.id),
});

/** One page as a SCIM ListResponse (RFC 7644 §3.4.2). */
export function sendList<Row>(
  reply: FastifyReply,
  startIndex: number,
  page: { totalResults: number; rows: Row[] },
  present: (row: Row) => unknown,
) {
  return sendScim(reply, 200, {
    schemas: [LIST_SCHEMA],
    totalResults: page.totalResults,
    startIndex,
    itemsPerPage: page.rows.length,
    Resources: page.rows.map((row) => present(row)),
  });
}

/** A created resource: 201 with its location. */
export function sendCreated(reply: FastifyReply, resource: { meta: { location: string } }) {
  reply.header("location", resource.meta.location);
  return sendScim(reply, 201, resource);
}
