import { KEY_RESULT_TYPES } from "@okr/goals-domain";
import { ROLES, Uuid } from "@okr/service-kit";
import { Type } from "typebox";
import { CyclePhase, DateTime, Literals, NullableUuid, Owner } from "./schemas.ts";

/** An owner as the views present it (the rows' kind as stored). */
const OwnerView = () => Type.Object({ kind: Type.String({ description: "team or person" }), id: Uuid() });

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
  owner: OwnerView(),
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
  owner: OwnerView(),
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

/** Who the caller is (GET /me). */
export const MeSchema = Type.Object({
  id: Uuid("the person the caller acts as"),
  tenantId: Uuid("the organization the caller acts in"),
  name: Type.String(),
  email: Type.String(),
  roles: Type.Array(Literals(ROLES), { description: "what the caller's token lets them do" }),
  teams: Type.Array(
    Type.Object({ teamId: Uuid(), name: Type.String(), role: Literals(["leader", "member"] as const) }),
  ),
  identity: Type.Union(
    [
      Type.Object(
        { issuer: Type.String(), subject: Type.String() },
        { description: "the sign-in it is linked to" },
      ),
      Type.Null(),
    ],
    { description: "null for a token the platform signed (tests, development)" },
  ),
});

const InCycle = { cycleId: Uuid() };
const OfTeam = {
  ...InCycle,
  teamId: Uuid(),
  teamName: Type.String(),
  dueAt: Type.Union([DateTime(), Type.Null()], {
    description:
      "the deadline the cycle's newest reminder about this set (escalations do not move it); null when no reminder came",
  }),
};
/** One thing the open cycles ask of the caller (GET /me/work). */
export const WorkItemSchema = Type.Union([
  Type.Object(
    {
      action: Type.Literal("check-in"),
      ...InCycle,
      keyResultId: Uuid(),
      objectiveId: Uuid(),
      title: Type.String(),
      dueAt: DateTime(),
      lastCheckInAt: Type.Union([DateTime(), Type.Null()]),
    },
    { description: "a key result I or my team own is owed a check-in by the cycle's cadence" },
  ),
  Type.Object(
    {
      action: Type.Literal("draft-objectives"),
      ...OfTeam,
      open: Type.Integer({ description: "objectives in draft or returned" }),
      written: Type.Integer(),
    },
    { description: "a team I lead has objectives to write or submit" },
  ),
  Type.Object(
    { action: Type.Literal("approve-objectives"), ...OfTeam, objectiveIds: Type.Array(Uuid()) },
    { description: "a team under one I lead submitted objectives for approval" },
  ),
  Type.Object(
    { action: Type.Literal("mid-cycle-review"), ...OfTeam },
    { description: "a team I lead was asked for its mid-cycle review, which no leader has recorded as held" },
  ),
  Type.Object(
    { action: Type.Literal("retrospective"), ...OfTeam },
    { description: "a team I lead has not written its retrospective" },
  ),
]);

/** The teams below a team with their objectives' latest scores (GET /cycles/{id}/teams/{teamId}/heatmap). */
export const TeamHeatmapSchema = Type.Object({
  cycleId: Uuid(),
  teamId: Uuid(),
  teams: Type.Array(
    Type.Object({
      teamId: Uuid(),
      name: Type.String(),
      parentTeamId: Uuid(),
      depth: Type.Integer({ minimum: 1, description: "1 for the team's own sub-teams, 2 below those, …" }),
      objectives: Type.Array(
        Type.Object({
          objectiveId: Uuid(),
          title: Type.String(),
          score: NullableNumber(),
          band: Type.Union([Type.String(), Type.Null()]),
          atRisk: Type.Union([Type.Boolean(), Type.Null()]),
        }),
      ),
    }),
  ),
});

/** The cycle run as GET /cycles/{id}/run and its admin actions answer it, and its teams' drafting. */
export {
  RunStatus as CycleRunSchema,
  RunTeams as RunTeamsSchema,
  TeamDraftingOf as TeamDraftingOfSchema,
} from "../cycle-workflow/schemas.ts";

/** A team's retrospective of a cycle (GET/POST /cycles/{id}/retrospectives). */
/** A team's mid-cycle review recorded as held (POST /cycles/{id}/teams/{teamId}/mid-cycle-review). */
export const MidCycleReviewSchema = Type.Object({
  id: Uuid(),
  cycleId: Uuid(),
  teamId: Uuid(),
  note: Type.Union([Type.String(), Type.Null()]),
  heldBy: Type.String({ description: "who recorded it" }),
  heldAt: DateTime(),
});

export const RetrospectiveSchema = Type.Object({
  id: Uuid(),
  cycleId: Uuid(),
  teamId: Uuid(),
  wentWell: Type.String(),
  didNotGoWell: Type.String(),
  lessons: Type.String(),
  carryForwardKeyResultIds: Type.Array(Uuid()),
  authorId: Type.String(),
  updatedAt: DateTime(),
});

export const Cadence = Type.Object(
  {
    weekday: Type.Integer({ minimum: 0, maximum: 6, description: "0 = Sunday" }),
    hour: Type.Integer({ minimum: 0, maximum: 23 }),
    everyDays: Type.Integer({ minimum: 1, maximum: 90 }),
  },
  { additionalProperties: false, description: "when check-ins are due, in the cycle's time zone" },
);

/** A cycle: its calendar, check-in cadence and phase. */
export const CycleSchema = Type.Object({
  id: Uuid(),
  name: Type.String(),
  startsAt: DateTime(),
  endsAt: DateTime(),
  timeZone: Type.String(),
  checkInCadence: Cadence,
  phase: CyclePhase(),
  locked: Type.Boolean(),
});

/** A person of the organization, with their teams. */
export const PersonSchema = Type.Object({
  id: Uuid(),
  name: Type.String(),
  email: Type.String(),
  roles: Type.Array(Type.String()),
  active: Type.Boolean({
    description: "false once the identity provider deactivated them: they can no longer act",
  }),
  timeZone: Type.Union([Type.String(), Type.Null()]),
  managerId: Type.Union([Uuid(), Type.Null()]),
  teams: Type.Array(Type.Object({ teamId: Uuid(), role: Type.String() })),
});

/** A team of the tree: its parent, leaders and (non-leading) members. */
export const TeamSchema = Type.Object({
  id: Uuid(),
  name: Type.String(),
  parentTeamId: NullableUuid(),
  leaderIds: Type.Array(Uuid()),
  memberIds: Type.Array(Uuid(), {
    description: "members who do not lead the team (leaders are in leaderIds)",
  }),
});

/** One check-in of a key result. */
export const CheckInSchema = Type.Object({
  id: Uuid(),
  keyResultId: Uuid(),
  value: Type.Number(),
  confidence: Type.Number(),
  note: Type.String(),
  evidence: Type.Object({ url: Type.Optional(Type.String()), system: Type.Optional(Type.String()) }),
  milestonesDone: Type.Union([Type.Integer(), Type.Null()]),
  authorId: Type.Union([Type.String(), Type.Null()]),
  source: Type.String(),
  recordedAt: DateTime(),
});

/** One key result of GET /cycles/{id}/check-in-status: its last check-in, and whether one is missing. */
export const CheckInStatusSchema = Type.Object({
  keyResultId: Uuid(),
  objectiveId: Uuid(),
  owner: Owner(),
  teamId: NullableUuid(),
  lastCheckInAt: Type.Union([DateTime(), Type.Null()]),
  missing: Type.Boolean(),
});
