import { Uuid } from "@okr/service-kit";
import { Type } from "typebox";

/** Response and parameter schemas shared by the scoring routes. */
export const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);
export const Band = Type.Union([Type.Literal("red"), Type.Literal("yellow"), Type.Literal("green")]);
export const Kind = Type.Union([Type.Literal("committed"), Type.Literal("aspirational")]);
export const PolicyRef = Type.Object({ id: Type.String(), version: Type.Integer() });
export const CycleParams = Type.Object({ cycleId: Uuid() });

/** The policy version that produced a live score; null until the first score. */
export const ScoredBy = Nullable(
  Type.Object(
    { policy: Type.String(), version: Type.Integer() },
    { description: "the scoring policy (name and version) that produced the score; null while unscored" },
  ),
);

/** The cycle's pace beside a score, computed at read time. */
export const Pace = {
  expectedProgress: Nullable(
    Type.Number({
      minimum: 0,
      maximum: 1,
      description:
        "share of the cycle elapsed now: the progress expected by now; null if the cycle is unknown",
    }),
  ),
  gapToExpected: Nullable(
    Type.Number({
      description: "expectedProgress minus score: positive when behind pace; null while unscored",
    }),
  ),
};

export const KeyResultScoreView = Type.Object({
  keyResultId: Type.String(),
  objectiveId: Type.String(),
  cycleId: Type.String(),
  type: Type.String(),
  progress: Nullable(Type.Number()),
  score: Nullable(Type.Number()),
  confidence: Nullable(Type.Number()),
  confidenceTrend: Nullable(Type.Number()),
  currentValue: Nullable(Type.Number()),
  checkInCount: Type.Integer({ description: "check-ins scoring has received; 0 before the first" }),
  lastCheckInAt: Nullable(
    Type.String({ format: "date-time", description: "the latest check-in's time; null before the first" }),
  ),
  weight: Type.Number(),
  scoredAt: Nullable(Type.String({ format: "date-time" })),
  scoredBy: ScoredBy,
  ...Pace,
});

export const ObjectiveScoreView = Type.Object({
  objectiveId: Type.String(),
  cycleId: Type.String(),
  title: Type.String(),
  kind: Kind,
  state: Type.String(),
  owner: Type.Object({ kind: Type.String(), id: Type.String() }),
  weight: Type.Number(),
  ownScore: Nullable(Type.Number()),
  score: Nullable(Type.Number()),
  grade: Nullable(Type.Number()),
  band: Nullable(Band),
  confidence: Nullable(Type.Number()),
  policy: Nullable(PolicyRef),
  scoredBy: ScoredBy,
  scoredAt: Nullable(Type.String({ format: "date-time" })),
  checkInCount: Type.Integer({ description: "check-ins on the objective's key results; 0 before the first" }),
  lastCheckInAt: Nullable(
    Type.String({ format: "date-time", description: "the latest check-in's time; null before the first" }),
  ),
  ...Pace,
  keyResults: Type.Array(KeyResultScoreView),
  finalGrade: Nullable(
    Type.Object({ score: Type.Number(), grade: Type.Number(), band: Band, expectationMet: Type.Boolean() }),
  ),
});

export const Graded = Type.Object({ score: Type.Number(), grade: Type.Number(), band: Band });

export const TeamScoreView = Type.Object({
  teamId: Type.String(),
  cycleId: Type.String(),
  name: Nullable(Type.String()),
  score: Nullable(Type.Number()),
  grade: Nullable(Type.Number()),
  band: Nullable(Band),
  objectives: Type.Array(
    Type.Object({
      objectiveId: Type.String(),
      title: Type.String(),
      score: Nullable(Type.Number()),
      weight: Type.Number(),
    }),
  ),
});

export const CycleScoreView = Type.Object({
  cycleId: Type.String(),
  phase: Nullable(Type.String()),
  organization: Nullable(Graded),
  teams: Type.Array(
    Type.Object({
      teamId: Type.String(),
      objectiveCount: Type.Integer(),
      score: Type.Number(),
      grade: Type.Number(),
      band: Band,
    }),
  ),
  objectivesScored: Type.Integer(),
  objectivesUnscored: Type.Integer(),
  graded: Nullable(
    Type.Object({ organizationScore: Type.Number(), policy: PolicyRef, gradedAt: Type.String() }),
  ),
});

export const CycleReportView = Type.Object({
  cycleId: Type.String(),
  policy: PolicyRef,
  organizationScore: Type.Number(),
  objectives: Type.Array(
    Type.Object({
      objectiveId: Type.String(),
      kind: Kind,
      owner: Type.Object({ kind: Type.String(), id: Type.String() }),
      score: Type.Number(),
      grade: Type.Number(),
      band: Band,
      expectationMet: Type.Boolean(),
      keyResults: Type.Array(
        Type.Object({
          keyResultId: Type.String(),
          progress: Type.Number(),
          score: Type.Number(),
          confidence: Nullable(Type.Number()),
        }),
      ),
    }),
  ),
  teams: Type.Array(Type.Object({ teamId: Type.String(), score: Type.Number() })),
  checkInDiscipline: Type.Object({
    keyResults: Type.Integer(),
    withCheckIns: Type.Integer(),
    checkInsTotal: Type.Integer(),
  }),
  gradedAt: Type.String({ format: "date-time" }),
  complete: Type.Boolean(),
  forcedBy: Type.Optional(
    Nullable(
      Type.String({
        description: "the admin who forced grading before the cycle reached SCORING; null when not forced",
      }),
    ),
  ),
  frozen: Type.Boolean({
    description: "false: a provisional grading (onlyIfComplete on an incomplete cycle)",
  }),
});
