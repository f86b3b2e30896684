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

/** Cursor pagination, shared by every service's lists. */
export { PageQuery, page } from "@okr/service-kit";

export const Warnings = Type.Array(
  Type.Object({ code: Type.String(), message: Type.String(), hint: Type.Optional(Type.String()) }),
  { description: "limits the organization enforces as warnings: the write went through" },
);

/** Problem responses a route gives besides those the app adds to every route (problem+json). */
export { problemResponses as problems } from "@okr/service-kit";
