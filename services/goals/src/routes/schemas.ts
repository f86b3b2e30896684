import { CYCLE_PHASES, KEY_RESULT_TYPES, OBJECTIVE_KINDS, OBJECTIVE_STATES } from "@okr/goals-domain";
import { Type } from "typebox";

/** Schemas shared by several route groups (each group keeps its own beside its routes). */
export const Uuid = (description?: string) =>
  Type.String({ format: "uuid", ...(description ? { description } : {}) });
export const NullableUuid = (description?: string) => Type.Union([Uuid(description), Type.Null()]);
export const DateTime = () => Type.String({ format: "date-time" });
/** A string enum as a union of literals, typed as the union (TypeBox cannot infer it from a mapped array). */
export const Literals = <T extends string>(values: readonly T[]) =>
  Type.Unsafe<T>(Type.Union(values.map((v) => Type.Literal(v))));

export const ObjectiveKind = () => Literals(OBJECTIVE_KINDS);
export const ObjectiveState = () => Literals(OBJECTIVE_STATES);
export const KeyResultType = () => Literals(KEY_RESULT_TYPES);
export const CyclePhase = () => Literals(CYCLE_PHASES);

export const Owner = () =>
  Type.Object(
    { kind: Literals(["team", "person"] as const), id: Uuid() },
    { additionalProperties: false, description: "a team or a person" },
  );

export const IdParams = Type.Object({ id: Uuid() });

/** Cursor pagination: `cursor` is the last id of the previous page (ids are time-ordered UUIDv7). */
export const PageQuery = {
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
  cursor: Type.Optional(Uuid("the nextCursor of the previous page")),
};

export const page = <T extends { id: string }>(rows: T[], limit: number) => {
  const items = rows.slice(0, limit);
  return { items, nextCursor: rows.length > limit ? (items[items.length - 1]?.id ?? null) : null };
};

export const Warnings = Type.Array(
  Type.Object({ code: Type.String(), message: Type.String(), hint: Type.Optional(Type.String()) }),
  { description: "limits the organization enforces as warnings: the write went through" },
);

/** Problem responses every route may give (problem+json). */
export const problems = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((status) => [status, { $ref: "Problem#" }]));
