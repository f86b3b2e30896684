import { Page, Uuid } from "@okr/service-kit";
import { Type } from "typebox";
import { CyclePhase, Literals } from "../routes/schemas.ts";

/** Schemas of the cycle-run routes (the workflow's inputs and status, as the API shows them). */
const Seconds = (description: string) =>
  Type.Optional(Type.Number({ minimum: 0.1, maximum: 366 * 86_400, description }));

export const CycleParams = Type.Object({ cycleId: Uuid() });
export const TeamParams = Type.Object({ cycleId: Uuid(), teamId: Uuid() });

export const RunBody = Type.Object(
  {
    durations: Type.Optional(
      Type.Object(
        {
          settingSeconds: Seconds("SETTING: time for the top-level teams"),
          teamDraftingSeconds: Seconds("CASCADE: time for each team once its parent's drafting closed"),
          reminderLeadSeconds: Seconds("a reminder this long before a drafting deadline"),
          escalationGraceSeconds: Seconds(
            "after the escalation, this long before a drafting closes as missed",
          ),
          checkInsSeconds: Seconds("CHECK_INS length (default: until the cycle ends)"),
          checkInIntervalSeconds: Seconds(
            "check-in cadence (default: the cycle's weekday, hour and everyDays)",
          ),
          scoringSeconds: Seconds("SCORING: longest wait for complete grades"),
          scoringPollSeconds: Seconds("SCORING: how often to ask again"),
          retrospectiveSeconds: Seconds("RETROSPECTIVE: time for the teams' retrospectives"),
          retrospectivePollSeconds: Seconds("RETROSPECTIVE: how often to look for new ones"),
        },
        {
          additionalProperties: false,
          description: "phase timings in seconds, to shorten a cycle for demos",
        },
      ),
    ),
    limits: Type.Optional(
      Type.Object(
        {
          maxConcurrentTeams: Type.Optional(Type.Integer({ minimum: 1, maximum: 2_000 })),
          historyEventBudget: Type.Optional(Type.Integer({ minimum: 200, maximum: 40_000 })),
        },
        { additionalProperties: false },
      ),
    ),
    continueWithNextCycle: Type.Optional(
      Type.Boolean({
        description: "run the cycle the retrospective proposes once this one closes (default true)",
      }),
    ),
  },
  { additionalProperties: false },
);

export const RunAccepted = Type.Object({
  cycleId: Uuid(),
  programWorkflowId: Type.String(),
  cycleWorkflowId: Type.String(),
});

export const RunStatus = Type.Object({
  cycleId: Uuid(),
  phase: CyclePhase(),
  paused: Type.Boolean(),
  pausedReason: Type.Optional(Type.String()),
  deadline: Type.Optional(Type.String({ format: "date-time" })),
  teams: Type.Object({
    total: Type.Integer(),
    waiting: Type.Integer(),
    open: Type.Integer(),
    approved: Type.Integer(),
    missed: Type.Integer(),
    closed: Type.Integer(),
    skipped: Type.Integer(),
  }),
  checkIns: Type.Object({
    due: Type.Integer(),
    ticks: Type.Integer(),
    remindersSent: Type.Integer(),
    atRiskAlerts: Type.Integer(),
    midCycleReviewed: Type.Boolean(),
  }),
  scoring: Type.Object({
    attempts: Type.Integer(),
    complete: Type.Boolean(),
    organizationScore: Type.Union([Type.Number(), Type.Null()]),
  }),
  phaseLog: Type.Array(
    Type.Object({
      phase: CyclePhase(),
      at: Type.String({ format: "date-time" }),
      reason: Literals(["start", "complete", "deadline", "admin"] as const),
    }),
  ),
  report: Type.Optional(
    Type.Object({}, { additionalProperties: true, description: "the cycle report once closed" }),
  ),
  runs: Type.Integer({ description: "workflow runs so far (a large cascade continues as new)" }),
});

export const AdminBody = Type.Object(
  { reason: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })) },
  { additionalProperties: false },
);
export const AdvanceBody = Type.Object(
  {
    from: Type.Optional(CyclePhase()),
    reason: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
  },
  { additionalProperties: false },
);
export const ExtendBody = Type.Object(
  {
    seconds: Type.Integer({
      minimum: 1,
      maximum: 180 * 86_400,
      description: "how much longer the current phase runs",
    }),
    reason: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
  },
  { additionalProperties: false },
);

export const SubmitBody = Type.Object(
  {
    objectiveIds: Type.Optional(
      Type.Array(Uuid(), { maxItems: 50, description: "the team's own objectives" }),
    ),
    adoptedKeyResultIds: Type.Optional(
      Type.Array(Uuid(), { maxItems: 50, description: "parent key results the team takes ownership of" }),
    ),
  },
  { additionalProperties: false },
);
export const ApproveBody = Type.Object({}, { additionalProperties: false });

export const TeamDrafting = Type.Object({
  teamId: Uuid(),
  state: Literals(["drafting", "submitted", "approved", "missed", "closed"] as const),
  deadline: Type.String({ format: "date-time" }),
  paused: Type.Boolean(),
  submittedBy: Type.Optional(Type.String()),
  approvedBy: Type.Optional(Type.String()),
  objectiveIds: Type.Array(Type.String()),
  adoptedKeyResultIds: Type.Array(Type.String()),
  submissions: Type.Integer(),
  remindersSent: Type.Integer(),
  escalated: Type.Boolean(),
});

/** Each team of the organization with its drafting in the run (null: not opened, or skipped). */
export const TeamDraftingOf = Type.Object({
  teamId: Uuid(),
  drafting: Type.Union([TeamDrafting, Type.Null()], { description: "null until the team's drafting opens" }),
});
export const RunTeams = Page(
  Type.Object({
    teamId: Uuid(),
    name: Type.String(),
    parentTeamId: Type.Union([Uuid(), Type.Null()]),
    drafting: Type.Union([TeamDrafting, Type.Null()]),
  }),
);
export const RunTeamsQuery = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 200, default: 100, description: "teams per page" }),
    cursor: Type.Optional(Uuid("the nextCursor of the previous page")),
  },
  { additionalProperties: false },
);
