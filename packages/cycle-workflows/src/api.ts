import type { CyclePhase } from "@okr/goals-domain";
import { defineQuery, defineSignal, defineUpdate } from "@temporalio/workflow";
import type { CarryForwardRefusal } from "./activities.ts";

/**
 * The public surface of the OKR workflows: ids, task queue, inputs and results, and the signals,
 * updates and queries clients (the goals API, ops tooling, tests) send. Plain definitions, safe to
 * import from workflow code and from clients alike.
 */

/** The one task queue the cycle worker polls. */
export const TASK_QUEUE = "okr-cycles";

/** The phases of a cycle, in order: the goals domain's own list, which the cycle workflow walks. */
export { CYCLE_PHASES as PHASES, type CyclePhase } from "@okr/goals-domain";

/** Workflow ids: one program per organization, one cycle per (organization, cycle), one drafting per team. */
export const workflowIds = {
  program: (organizationId: string) => `okr-program/${organizationId}`,
  cycle: (organizationId: string, cycleId: string) => `okr-cycle/${organizationId}/${cycleId}`,
  team: (organizationId: string, cycleId: string, teamId: string) =>
    `okr-team/${organizationId}/${cycleId}/${teamId}`,
};

/**
 * Phase timings in seconds. Each is optional: production takes them from the cycle's calendar and the
 * defaults below; demos and tests shorten a quarter to seconds by passing them.
 */
export interface PhaseDurations {
  /** SETTING: how long the top-level teams have to submit and get approval. */
  settingSeconds?: number;
  /** CASCADE: how long each team has once its parent team's drafting closed. */
  teamDraftingSeconds?: number;
  /** Reminder this long before a drafting deadline. */
  reminderLeadSeconds?: number;
  /** After a missed deadline: escalation, then this long before the team's drafting closes as missed. */
  escalationGraceSeconds?: number;
  /** CHECK_INS length (default: until the cycle's endsAt). */
  checkInsSeconds?: number;
  /** Check-in cadence (default: the cycle's weekday/hour/everyDays in its time zone). */
  checkInIntervalSeconds?: number;
  /** SCORING: longest wait for complete final grades. */
  scoringSeconds?: number;
  /** SCORING: how often to ask the scoring service again while grades are incomplete. */
  scoringPollSeconds?: number;
  /** RETROSPECTIVE: how long teams have to write their retrospectives. */
  retrospectiveSeconds?: number;
  /** RETROSPECTIVE: how often to look for new retrospectives (and remind the missing teams). */
  retrospectivePollSeconds?: number;
}

export const DEFAULT_DURATIONS: Required<Omit<PhaseDurations, "checkInsSeconds" | "checkInIntervalSeconds">> =
  {
    settingSeconds: 7 * 86_400,
    teamDraftingSeconds: 5 * 86_400,
    reminderLeadSeconds: 2 * 86_400,
    escalationGraceSeconds: 2 * 86_400,
    scoringSeconds: 5 * 86_400,
    scoringPollSeconds: 3_600,
    retrospectiveSeconds: 7 * 86_400,
    retrospectivePollSeconds: 86_400,
  };

/** Bounds that keep one workflow's history and fan-out inside Temporal's limits. */
export interface CycleLimits {
  /** Team drafting children running at once (a sliding window; Temporal caps pending children at 2,000). */
  maxConcurrentTeams?: number;
  /** Continue-as-new once the cycle's history passes this many events (or the server suggests it). */
  historyEventBudget?: number;
}

export const DEFAULT_LIMITS: Required<CycleLimits> = {
  maxConcurrentTeams: 1_000,
  historyEventBudget: 20_000,
};

export interface RunCycleRequest {
  cycleId: string;
  durations?: PhaseDurations;
  limits?: CycleLimits;
  /** Run the next cycle the retrospective proposes as soon as this one closes (default true). */
  continueWithNextCycle?: boolean;
  requestedBy?: string;
  /** Names for the Temporal UI (summaries and details); absent in older requests, ids stand in. */
  cycleName?: string;
  organizationName?: string;
}

export interface CompletedCycle {
  cycleId: string;
  outcome: "closed" | "failed";
  closedAt: string;
  nextCycleId?: string;
  organizationScore?: number;
  failure?: string;
}

export interface ProgramInput {
  organizationId: string;
  /** For the Temporal UI; absent in older histories, the id stands in. */
  organizationName?: string;
  /** Cycles waiting to run (carried across continue-as-new). */
  pending?: RunCycleRequest[];
  /** The most recent completed cycles (bounded, newest last). */
  recent?: CompletedCycle[];
  /** How many cycles this program has run across all its runs. */
  cyclesRun?: number;
}

export interface ProgramStatus {
  organizationId: string;
  current?: RunCycleRequest;
  pending: RunCycleRequest[];
  recent: CompletedCycle[];
  cyclesRun: number;
}

export interface TeamRef {
  id: string;
  name: string;
  parentTeamId: string | null;
  leaderIds: string[];
}

/** Where a cycle stopped when it continued as new (CASCADE only; other phases are short of history). */
export interface CycleCheckpoint {
  phase: CyclePhase;
  /** CASCADE: teams whose drafting may open now (their parent's drafting closed). */
  readyTeamIds: string[];
  teams: TeamCounts;
  phaseLog: PhaseChange[];
  paused: boolean;
  pausedReason?: string;
  runs: number;
}

export interface CycleInput {
  organizationId: string;
  cycleId: string;
  /** For the Temporal UI; absent in older histories (the cycle's name then comes from its calendar). */
  organizationName?: string;
  cycleName?: string;
  durations?: PhaseDurations;
  limits?: CycleLimits;
  checkpoint?: CycleCheckpoint;
}

export interface PhaseChange {
  phase: CyclePhase;
  at: string;
  /** "deadline" when time ran out, "complete" when everyone was done, "admin" when advanced by hand. */
  reason: "start" | "complete" | "deadline" | "admin";
}

export interface TeamCounts {
  total: number;
  waiting: number;
  open: number;
  approved: number;
  missed: number;
  closed: number;
  skipped: number;
}

export interface CheckInCounts {
  due: number;
  ticks: number;
  remindersSent: number;
  atRiskAlerts: number;
  midCycleReviewed: boolean;
}

export interface CycleReport {
  cycleId: string;
  organizationScore: number | null;
  gradesComplete: boolean;
  committed: { objectives: number; met: number; meanScore: number | null };
  aspirational: { objectives: number; met: number; meanScore: number | null };
  checkInDiscipline: {
    keyResults: number;
    withCheckIns: number;
    checkInsTotal: number;
    ratio: number | null;
  };
  retrospectives: { teams: number; submitted: number };
  lessons: string[];
  carriedForwardKeyResultIds: string[];
  nextCycleId: string | null;
  draftsProposed: number;
  /** Carried objectives the goals service refused, whole or in part, with its reasons. */
  carryForwardRefused: CarryForwardRefusal[];
}

export interface CycleStatus {
  organizationId: string;
  cycleId: string;
  phase: CyclePhase;
  paused: boolean;
  pausedReason?: string;
  /** The essential step whose failure paused the cycle: resume retries it, advance cannot skip it. */
  failedStep?: { step: string; cause: string; attempts: number };
  /** What the last retry an operator asked for (resume) did. */
  lastRetry?: { step: string; outcome: "succeeded" | "failed"; cause?: string; at: string };
  /** When the current phase's wait ends (ISO), if it has a deadline. */
  deadline?: string;
  teams: TeamCounts;
  checkIns: CheckInCounts;
  scoring: { attempts: number; complete: boolean; organizationScore: number | null };
  phaseLog: PhaseChange[];
  report?: CycleReport;
  /** How many runs (continue-as-new) this cycle has taken so far. */
  runs: number;
}

export type CycleResult = { status: CycleStatus; report: CycleReport };

/** Team drafting: a child of the cycle per team, open from its parent's close until approval or deadline. */
export interface TeamDraftingInput {
  organizationId: string;
  cycleId: string;
  /** For the Temporal UI; absent in older histories, the ids stand in. */
  organizationName?: string;
  cycleName?: string;
  phase: "SETTING" | "CASCADE";
  team: TeamRef;
  /** Leaders of the parent team: they may approve, and they receive the escalation. */
  parentLeaderIds: string[];
  /** Epoch milliseconds. */
  deadlineAt: number;
  reminderLeadMs: number;
  escalationGraceMs: number;
  /** The organization's mission, quoted in SETTING reminders. */
  mission?: string;
}

export type TeamDraftingState = "drafting" | "submitted" | "approved" | "missed" | "closed";

export interface TeamDraftingStatus {
  teamId: string;
  state: TeamDraftingState;
  deadline: string;
  paused: boolean;
  submittedBy?: string;
  approvedBy?: string;
  objectiveIds: string[];
  adoptedKeyResultIds: string[];
  submissions: number;
  remindersSent: number;
  escalated: boolean;
}

export type TeamDraftingResult = TeamDraftingStatus & { outcome: "approved" | "missed" | "closed" };

/** Inputs of the updates. `actorId` is the caller's subject, taken from its verified token by the API. */
export interface SubmitObjectivesInput {
  actorId: string;
  /** The team's own objectives (drafted in the goals service). */
  objectiveIds?: string[];
  /** Key results of the parent team the team takes ownership of. */
  adoptedKeyResultIds?: string[];
}

export interface ApproveObjectivesInput {
  actorId: string;
}

export interface AdminInput {
  actorId: string;
  reason?: string;
}

export interface ExtendDeadlineInput extends AdminInput {
  seconds: number;
}

export interface AdvancePhaseInput extends AdminInput {
  /** The phase the caller sees and wants to leave: a stale click (the phase moved on) is rejected. */
  from?: CyclePhase;
}

/** Why an update was rejected: `ApplicationFailure.type` of the validator's error (the API maps it to HTTP). */
export const REJECTION = {
  wrongPhase: "WrongPhase",
  unknownTeam: "UnknownTeam",
  notLeader: "NotLeader",
  invalidState: "InvalidState",
  invalidInput: "InvalidInput",
  /** The team's drafting has just opened and its workflow is starting: send the update again. */
  draftingOpening: "DraftingOpening",
} as const;
export type RejectionType = (typeof REJECTION)[keyof typeof REJECTION];

/** Workflow type names, for clients that start workflows without importing workflow code. */
export const programWorkflowType = "programWorkflow";
export const cycleWorkflowType = "cycleWorkflow";

// Program
export const runCycleSignal = defineSignal<[RunCycleRequest]>("runCycle");
export const programStatusQuery = defineQuery<ProgramStatus>("programStatus");

// Cycle
export const cycleStatusQuery = defineQuery<CycleStatus>("cycleStatus");
export const pauseUpdate = defineUpdate<CycleStatus, [AdminInput]>("pause");
export const resumeUpdate = defineUpdate<CycleStatus, [AdminInput]>("resume");
export const extendDeadlineUpdate = defineUpdate<CycleStatus, [ExtendDeadlineInput]>("extendDeadline");
export const advancePhaseUpdate = defineUpdate<CycleStatus, [AdvancePhaseInput]>("advancePhase");
/**
 * Sent to the cycle when the team's own drafting workflow is not running: its validator always rejects,
 * saying why (unknown team, wrong phase, drafting not open yet or already closed). Rejections leave no
 * history, so the cycle's history stays bounded however many stray calls arrive.
 */
export const explainTeamUpdate = defineUpdate<never, [{ teamId: string; action: "submit" | "approve" }]>(
  "explainTeamUpdate",
);

// Team drafting
export const teamStatusQuery = defineQuery<TeamDraftingStatus>("teamStatus");
export const submitObjectivesUpdate = defineUpdate<TeamDraftingStatus, [SubmitObjectivesInput]>(
  "submitObjectives",
);
export const approveObjectivesUpdate = defineUpdate<TeamDraftingStatus, [ApproveObjectivesInput]>(
  "approveObjectives",
);
/** From the cycle to its running team children (pause/resume/extend follow the cycle; close ends drafting). */
export const teamControlSignal =
  defineSignal<[{ action: "pause" | "resume" | "close" } | { action: "extend"; seconds: number }]>(
    "teamControl",
  );
