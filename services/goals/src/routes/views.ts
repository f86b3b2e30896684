import { KEY_RESULT_TYPES } from "@okr/goals-domain";
import { Uuid } from "@okr/service-kit";
import { Type } from "typebox";
import { DateTime, NullableUuid } from "./schemas.ts";

const Owner = () => Type.Object({ kind: Type.String({ description: "team or person" }), id: Uuid() });

const NullableNumber = () => Type.Union([Type.Number(), Type.Null()]);

/** How an objective and its key results are shown (with the latest scores beside them). */
export const KeyResultSchema = Type.Object({
  id: Uuid(),
  objectiveId: Uuid(),
  cycleId: Uuid(),
  title: Type.String(),
  type: Type.String({
    description: `${KEY_RESULT_TYPES.slice(0, -1).join(", ")} or ${KEY_RESULT_TYPES.at(-1)}`,
  }),
  baseline: NullableNumber(),
  target: NullableNumber(),
  bandLow: NullableNumber(),
  bandHigh: NullableNumber(),
  milestones: Type.Array(Type.String()),
  unit: Type.String(),
  weight: Type.Number(),
  owner: Owner(),
  evidence: Type.Object({ kind: Type.String(), description: Type.String() }),
  carriedFromKeyResultId: NullableUuid(),
  lastCheckInAt: Type.Union([DateTime(), Type.Null()]),
  latestValue: NullableNumber(),
  latestConfidence: NullableNumber(),
  milestonesDone: Type.Union([Type.Integer(), Type.Null()]),
  score: NullableNumber(),
  progress: NullableNumber(),
  version: Type.Integer(),
});

export const ObjectiveSchema = Type.Object({
  id: Uuid(),
  cycleId: Uuid(),
  title: Type.String(),
  description: Type.String(),
  kind: Type.String(),
  state: Type.String(),
  owner: Owner(),
  weight: Type.Number(),
  alignedToObjectiveId: NullableUuid(),
  contributesToKeyResultId: NullableUuid(),
  returnReason: Type.Union([Type.String(), Type.Null()]),
  version: Type.Integer(),
  createdAt: DateTime(),
  updatedAt: DateTime(),
  keyResults: Type.Array(KeyResultSchema),
  score: NullableNumber(),
  grade: NullableNumber(),
  band: Type.Union([Type.String(), Type.Null()]),
  atRisk: Type.Union([Type.Boolean(), Type.Null()]),
  scoredAt: Type.Union([DateTime(), Type.Null()]),
});
