import { Type } from "typebox";

/** Route schemas every service shares: ids are UUIDs (v7, time-ordered) in every path, body and answer. */
export const Uuid = (description?: string) =>
  Type.String({ format: "uuid", ...(description ? { description } : {}) });

/** The path parameters of a route on one resource (`/things/:id`). */
export const IdParams = Type.Object({ id: Uuid() });
