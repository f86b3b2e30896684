import { Type } from "typebox";
import { defineEvent } from "../registry.ts";
import {
  Confidence,
  CyclePhase,
  Id,
  KeyResultType,
  keyedBy,
  Nullable,
  ObjectiveKind,
  ObjectiveState,
  Owner,
  Text,
  Timestamp,
} from "./common.ts";

/** Events the goals service publishes. Topics group what must stay ordered under one partition key. */
export const GOALS_TOPICS = {
  organizations: "okr.goals.organizations",
  teams: "okr.goals.teams",
  /** People with their contact details and teams: what notifiers address. */
  people: "okr.goals.people",
  cycles: "okr.goals.cycles",
  objectives: "okr.goals.objectives",
  /** Key results and their check-ins share a topic and key, so a KR always arrives before its check-ins. */
  keyResults: "okr.goals.key-results",
  /** Key results carried into the next cycle: few events, apart from the busy key-results topic. */
  carriedKeyResults: "okr.goals.carried-key-results",
  retrospectives: "okr.goals.retrospectives",
} as const;

const producer = "goals";

export const OrganizationCreated = defineEvent({
  type: "okr.organization.created.v1",
  topic: GOALS_TOPICS.organizations,
  producer,
  summary: "A tenant organization was created with its mission (the WHY).",
  schema: Type.Object({ organizationId: Id(), name: Text(200), mission: Text(2000), createdAt: Timestamp() }),
  ...keyedBy("organizationId"),
});

export const TeamChanged = defineEvent({
  type: "okr.team.changed.v1",
  topic: GOALS_TOPICS.teams,
  producer,
  summary: "A team was created, renamed, re-parented or removed from the team tree.",
  schema: Type.Object({
    teamId: Id(),
    name: Text(200),
    parentTeamId: Nullable(Id()),
    leaderIds: Type.Array(Id()),
    removed: Type.Boolean(),
  }),
  ...keyedBy("teamId"),
});

export const PersonChanged = defineEvent({
  type: "okr.person.changed.v1",
  topic: GOALS_TOPICS.people,
  producer,
  summary:
    "A person was added, changed, deactivated, moved between teams or removed: their whole current state (contact details, time zone, manager, teams), so a service that addresses people (a notifier) needs no other source. `removed` marks the last event of a deleted person; a consumer then forgets their email.",
  schema: Type.Object({
    personId: Id(),
    name: Text(200),
    email: Text(320),
    active: Type.Boolean({ description: "false: deactivated by the identity provider; do not notify" }),
    timeZone: Nullable(
      Type.String({ maxLength: 64, description: "IANA, e.g. Europe/Berlin; null: the tenant default" }),
    ),
    managerId: Nullable(Id()),
    teams: Type.Array(
      Type.Object({ teamId: Id(), role: Type.Union([Type.Literal("leader"), Type.Literal("member")]) }),
    ),
    removed: Type.Boolean(),
    changedAt: Timestamp(),
  }),
  ...keyedBy("personId"),
});

export const CyclePhaseChanged = defineEvent({
  type: "okr.cycle.phase-changed.v1",
  topic: GOALS_TOPICS.cycles,
  producer,
  summary: "A cycle entered a new phase (SETTING, CASCADE, CHECK_INS, SCORING, RETROSPECTIVE, CLOSED).",
  schema: Type.Object({
    cycleId: Id(),
    name: Text(100),
    phase: CyclePhase(),
    previousPhase: Nullable(CyclePhase()),
    startsAt: Timestamp(),
    endsAt: Timestamp(),
    changedAt: Timestamp(),
  }),
  ...keyedBy("cycleId"),
});

const objectiveFields = {
  objectiveId: Id(),
  cycleId: Id(),
  title: Text(300),
  kind: ObjectiveKind(),
  state: ObjectiveState(),
  owner: Owner(),
  weight: Type.Number({ exclusiveMinimum: 0 }),
  alignedToObjectiveId: Nullable(Id()),
  contributesToKeyResultId: Nullable(Id()),
};

export const ObjectiveUpserted = defineEvent({
  type: "okr.objective.upserted.v1",
  topic: GOALS_TOPICS.objectives,
  producer,
  summary:
    "An objective was created or changed (including its alignment); carries the whole current objective.",
  schema: Type.Object({
    ...objectiveFields,
    version: Type.Integer({ minimum: 1 }),
    /** True when a draft objective was deleted (its key results go with it). */
    removed: Type.Optional(Type.Boolean()),
  }),
  ...keyedBy("objectiveId"),
});

export const ObjectiveStateChanged = defineEvent({
  type: "okr.objective.state-changed.v1",
  topic: GOALS_TOPICS.objectives,
  producer,
  summary: "An objective moved through draft -> submitted -> approved (or returned with a reason) -> closed.",
  schema: Type.Object({
    objectiveId: Id(),
    cycleId: Id(),
    from: ObjectiveState(),
    to: ObjectiveState(),
    reason: Type.Optional(Text(2000)),
    /** A person id, or the subject of a service credential (e.g. the cycle worker) acting for the process. */
    actorId: Type.String({ minLength: 1, maxLength: 200 }),
  }),
  ...keyedBy("objectiveId"),
});

export const ObjectiveAlignmentChanged = defineEvent({
  type: "okr.objective.alignment-changed.v1",
  topic: GOALS_TOPICS.objectives,
  producer,
  summary:
    "An objective's cascade link changed: it now aligns to another objective, contributes to a key result from the layer above, or hangs under the mission alone.",
  schema: Type.Object({
    objectiveId: Id(),
    cycleId: Id(),
    alignedToObjectiveId: Nullable(Id()),
    contributesToKeyResultId: Nullable(Id()),
    previousAlignedToObjectiveId: Nullable(Id()),
    previousContributesToKeyResultId: Nullable(Id()),
    actorId: Type.String({ minLength: 1, maxLength: 200 }),
  }),
  ...keyedBy("objectiveId"),
});

export const KeyResultUpserted = defineEvent({
  type: "okr.key-result.upserted.v1",
  topic: GOALS_TOPICS.keyResults,
  producer,
  summary: "A key result was created or changed; carries the whole current definition.",
  schema: Type.Object({
    keyResultId: Id(),
    objectiveId: Id(),
    cycleId: Id(),
    title: Text(300),
    type: KeyResultType(),
    baseline: Nullable(Type.Number()),
    target: Nullable(Type.Number()),
    bandLow: Nullable(Type.Number()),
    bandHigh: Nullable(Type.Number()),
    milestones: Type.Array(Text(300)),
    unit: Text(40),
    weight: Type.Number({ exclusiveMinimum: 0 }),
    version: Type.Integer({ minimum: 1 }),
    /** Who answers for it (defaults to the objective's owner). */
    owner: Type.Optional(Owner()),
    /** The key result of an earlier cycle this one carries forward (see KeyResultCarriedForward). */
    carriedFromKeyResultId: Type.Optional(Id()),
    /** True when the key result was deleted. */
    removed: Type.Optional(Type.Boolean()),
  }),
  ...keyedBy("keyResultId"),
});

export const KeyResultCarriedForward = defineEvent({
  type: "okr.key-result.carried-forward.v1",
  topic: GOALS_TOPICS.carriedKeyResults,
  producer,
  summary:
    "A key result was carried into another cycle as a new key result: what was tied to the old one (a value-stream binding) follows it.",
  schema: Type.Object({
    keyResultId: Id(),
    objectiveId: Id(),
    cycleId: Id(),
    carriedFromKeyResultId: Id(),
    carriedFromCycleId: Id(),
  }),
  ...keyedBy("carriedFromKeyResultId", "keyResultId"),
});

export const CheckInRecorded = defineEvent({
  type: "okr.check-in.recorded.v1",
  topic: GOALS_TOPICS.keyResults,
  producer,
  summary: "A person or a system recorded a check-in on a key result (value, confidence, evidence).",
  schema: Type.Object({
    checkInId: Id(),
    keyResultId: Id(),
    objectiveId: Id(),
    cycleId: Id(),
    value: Type.Number(),
    milestonesDone: Type.Optional(Type.Integer({ minimum: 0 })),
    confidence: Confidence(),
    note: Text(4000),
    evidence: Type.Object({
      url: Type.Optional(Type.String({ format: "uri" })),
      system: Type.Optional(Text(200)),
    }),
    authorId: Nullable(Id()),
    source: Type.Union([Type.Literal("person"), Type.Literal("system")]),
    recordedAt: Timestamp(),
  }),
  ...keyedBy("keyResultId"),
});

export const RetrospectiveSubmitted = defineEvent({
  type: "okr.retrospective.submitted.v1",
  topic: GOALS_TOPICS.retrospectives,
  producer,
  summary: "A team submitted its retrospective for a cycle, with carry-forward proposals.",
  schema: Type.Object({
    retrospectiveId: Id(),
    cycleId: Id(),
    teamId: Id(),
    wentWell: Text(8000),
    didNotGoWell: Text(8000),
    lessons: Text(8000),
    carryForwardKeyResultIds: Type.Array(Id()),
  }),
  ...keyedBy("cycleId", "teamId"),
});

export const goalsEvents = [
  OrganizationCreated,
  TeamChanged,
  PersonChanged,
  CyclePhaseChanged,
  ObjectiveUpserted,
  ObjectiveStateChanged,
  ObjectiveAlignmentChanged,
  KeyResultUpserted,
  KeyResultCarriedForward,
  CheckInRecorded,
  RetrospectiveSubmitted,
] as const;
