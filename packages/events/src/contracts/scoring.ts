import { Type } from "typebox";
import { defineEvent } from "../registry.ts";
import { Confidence, Id, keyedBy, Nullable, ObjectiveKind, Score, Timestamp } from "./common.ts";

export const SCORING_TOPICS = { scores: "okr.scoring.scores" } as const;

const producer = "scoring";
const policy = () =>
  Type.Object({ id: Type.String({ minLength: 1 }), version: Type.Integer({ minimum: 1 }) });

export const KeyResultScored = defineEvent({
  type: "okr.key-result.scored.v1",
  topic: SCORING_TOPICS.scores,
  producer,
  summary: "A key result's progress and score changed (confidence kept beside the score, never mixed in).",
  schema: Type.Object({
    keyResultId: Id(),
    objectiveId: Id(),
    cycleId: Id(),
    progress: Type.Number(),
    score: Score(),
    confidence: Nullable(Confidence()),
    policy: policy(),
    asOf: Timestamp(),
  }),
  ...keyedBy("objectiveId", "keyResultId"),
});

export const ObjectiveScored = defineEvent({
  type: "okr.objective.scored.v1",
  topic: SCORING_TOPICS.scores,
  producer,
  summary: "An objective's weighted score, grade band and at-risk flag changed.",
  schema: Type.Object({
    objectiveId: Id(),
    cycleId: Id(),
    kind: ObjectiveKind(),
    score: Score(),
    grade: Score(),
    band: Type.Union([Type.Literal("red"), Type.Literal("yellow"), Type.Literal("green")]),
    atRisk: Type.Boolean(),
    policy: policy(),
    asOf: Timestamp(),
  }),
  ...keyedBy("objectiveId"),
});

export const CycleGraded = defineEvent({
  type: "okr.cycle.graded.v1",
  topic: SCORING_TOPICS.scores,
  producer,
  summary: "Final grades of a cycle were frozen under a named, versioned scoring policy.",
  schema: Type.Object({
    cycleId: Id(),
    organizationScore: Score(),
    objectivesGraded: Type.Integer({ minimum: 0 }),
    policy: policy(),
    gradedAt: Timestamp(),
  }),
  ...keyedBy("cycleId"),
});

export const scoringEvents = [KeyResultScored, ObjectiveScored, CycleGraded] as const;
