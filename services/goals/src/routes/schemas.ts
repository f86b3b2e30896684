import { CYCLE_PHASES, KEY_RESULT_TYPES, OBJECTIVE_KINDS, OBJECTIVE_STATES } from "@okr/goals-domain";
import { Uuid } from "@okr/service-kit";
import { Type } from "typebox";

/** Schemas shared by several route groups (each group keeps its own beside its routes). */
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

export const Warnings = Type.Array(
  Type.Object({ code: Type.String(), message: Type.String(), hint: Type.Optional(Type.String()) }),
  { description: "limits the organization enforces as warnings: the write went through" },
);
