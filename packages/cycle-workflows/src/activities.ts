import type { CyclePhase, TeamRef } from "./api.ts";

/**
 * What the workflows ask of the outside world (types only: the cycle worker implements them over the
 * goals and scoring HTTP APIs and Kafka; tests implement them as plain functions). Every activity is
 * idempotent: a retry after a worker crash repeats the call with the same idempotency key or event id.
 */

export interface CycleCalendar {
  id: string;
  name: string;
  startsAt: string;
  endsAt: string;
  timeZone: string;
  checkInCadence: { weekday: number; hour: number; everyDays: number };
  mission: string;
}

export interface CycleRef {
  organizationId: string;
  cycleId: string;
}

/** A reminder to publish as a ReminderDue event; `key` makes its event id (with the workflow id) stable across retries. */
export interface ReminderRequest {
  key: string;
  phase: CyclePhase;
  action: "draft-objectives" | "approve-objectives" | "check-in" | "retrospective" | "mid-cycle-review";
  recipient: { kind: "team" | "person"; id: string };
  dueAt: string;
  escalation: boolean;
  message: string;
  /** The team the action is about (the drafting team, the team to review or to write the retrospective of). */
  teamId?: string;
}

export interface GradingSummary {
  complete: boolean;
  organizationScore: number | null;
  objectives: {
    objectiveId: string;
    kind: "committed" | "aspirational";
    score: number;
    expectationMet: boolean;
  }[];
  /** Key results of objectives that fell short of their expectation: candidates to carry forward. */
  unfinishedKeyResultIds: string[];
  checkInDiscipline: { keyResults: number; withCheckIns: number; checkInsTotal: number };
}

export interface RetrospectiveSummary {
  teamIds: string[];
  lessons: string[];
  carryForwardKeyResultIds: string[];
}

/**
 * A carried objective the goals service refused, whole or in part: the key results it left out with its
 * reasons (they are also written into the draft's description for the team), or, when not even the bare
 * objective was accepted, no draft and the reason.
 */
export interface CarryForwardRefusal {
  objectiveId: string;
  title: string;
  draftObjectiveId: string | null;
  keyResultsLeftOut: { title: string; reason: string }[];
  reason?: string;
}

export interface CycleActivities {
  loadCycle(input: CycleRef): Promise<CycleCalendar>;
  /** One page of the organization's teams (the workflow pages, so no single result grows with the tree). */
  listTeams(input: { organizationId: string; cursor: string | null }): Promise<{
    items: TeamRef[];
    nextCursor: string | null;
  }>;
  /** Moves the cycle's phase in the goals service (idempotent; SCORING locks the cycle). */
  setPhase(input: CycleRef & { phase: CyclePhase }): Promise<void>;
  /** Check-in due times (ISO) between `from` and `until` on the cycle's cadence in its time zone. */
  planCheckIns(input: { calendar: CycleCalendar; from: string; until: string }): Promise<string[]>;
  publishReminders(input: {
    organizationId: string;
    cycleId: string;
    workflowId: string;
    reminders: ReminderRequest[];
  }): Promise<number>;
  /** Finds key results without a check-in since `since` and publishes a reminder to each owner. */
  remindMissingCheckIns(input: CycleRef & { workflowId: string; since: string; dueAt: string }): Promise<{
    missing: number;
    reminded: number;
  }>;
  /** Asks the scoring service which objectives are behind pace and publishes an alert for each new one. */
  alertAtRisk(
    input: CycleRef & { workflowId: string; alreadyAlerted: string[] },
  ): Promise<{ atRisk: string[]; alerted: string[] }>;
  /** Approves the team's submitted objectives in the goals service. */
  approveObjectives(input: {
    organizationId: string;
    objectiveIds: string[];
    actorId: string;
  }): Promise<void>;
  /**
   * Grades the cycle in the scoring service and freezes the grades, or with `onlyIfComplete` freezes only
   * a complete grading (every key result checked in) and otherwise answers provisionally.
   */
  requestFinalGrades(input: CycleRef & { onlyIfComplete?: boolean }): Promise<GradingSummary>;
  collectRetrospectives(input: CycleRef): Promise<RetrospectiveSummary>;
  /**
   * Creates the next cycle and its draft objectives with the unfinished key results carried forward
   * (whole definitions, from where they ended). What the goals service refuses is returned in `refused`
   * rather than failing the activity.
   */
  proposeNextCycle(input: CycleRef & { workflowId: string; carryForwardKeyResultIds: string[] }): Promise<{
    nextCycleId: string;
    draftsCreated: number;
    refused?: CarryForwardRefusal[];
  }>;
}

/**
 * Runs an essential step through the activities: one that keeps failing pauses the cycle for an
 * operator, whose resume retries it; `what` names the step in the status.
 */
export type EssentialStep = <T>(what: string, step: (via: CycleActivities) => Promise<T>) => Promise<T>;
