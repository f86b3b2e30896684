import { type TSchema, Type } from "typebox";

export const Id = () => Type.String({ format: "uuid" });
export const Timestamp = () => Type.String({ format: "date-time" });
export const Score = () => Type.Number({ minimum: 0, maximum: 1 });
export const Confidence = () => Type.Number({ minimum: 0, maximum: 1 });
export const Text = (maxLength: number) => Type.String({ maxLength });

// The vocabularies below (and the waste tags and step classifications in value-stream.ts) are written out
// here, not imported from the domain packages that own them: they are part of versioned contracts, which
// a change in the domain must not alter unnoticed. test/vocabulary.test.ts fails when they drift apart
// from their owners (@okr/goals-domain, @okr/flow-metrics), so that any change to them is a decision.
export const KeyResultType = () =>
  Type.Union(
    ["increase-to", "decrease-to", "stay-above", "stay-below", "stay-between", "milestone"].map((t) =>
      Type.Literal(t),
    ),
  );
export const ObjectiveKind = () => Type.Union([Type.Literal("committed"), Type.Literal("aspirational")]);
export const ObjectiveState = () =>
  Type.Union(["draft", "submitted", "returned", "approved", "closed"].map((s) => Type.Literal(s)));
export const CyclePhase = () =>
  Type.Union(
    ["SETTING", "CASCADE", "CHECK_INS", "SCORING", "RETROSPECTIVE", "CLOSED"].map((p) => Type.Literal(p)),
  );
export const Owner = () =>
  Type.Object(
    { kind: Type.Union([Type.Literal("team"), Type.Literal("person")]), id: Id() },
    { additionalProperties: false },
  );

/** `schema` or null. */
export const Nullable = <S extends TSchema>(schema: S) => Type.Union([schema, Type.Null()]);

/**
 * The partition key and the subject of an event read from its payload fields: what orders it and what
 * it is about (the same field unless named apart).
 */
export const keyedBy = <P extends string, S extends string = P>(partition: P, subject?: S) => ({
  partitionKey: (data: Record<P, string>) => data[partition],
  subject: (data: Record<S, string>) => data[(subject ?? partition) as S],
});
