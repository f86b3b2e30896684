import {
  ApplicationFailure,
  log,
  proxyActivities,
  setCurrentDetails,
  setHandler,
} from "@temporalio/workflow";
import type { CycleActivities, ReminderRequest } from "./activities.ts";
import {
  approveObjectivesUpdate,
  REJECTION,
  type RejectionType,
  submitObjectivesUpdate,
  type TeamDraftingInput,
  type TeamDraftingResult,
  type TeamDraftingStatus,
  teamControlSignal,
  teamStatusQuery,
  workflowIds,
} from "./api.ts";
import { PhaseClock } from "./clock.ts";
import { ACTIVITY_OPTIONS } from "./retry.ts";
import { draftingDetails } from "./summaries.ts";

const activities = proxyActivities<CycleActivities>(ACTIVITY_OPTIONS);

/** A team may revise its submission before approval, but not without bound (each one is history). */
const MAX_SUBMISSIONS = 20;

export const reject = (type: RejectionType, message: string) =>
  ApplicationFailure.nonRetryable(message, type);

/**
 * One team's drafting window (a child of the cycle): the team's leaders submit objectives (their own
 * or key results adopted from the parent team), a leader of the team or of its parent approves. A
 * reminder goes out before the deadline; at the deadline the parent's leaders get an escalation, and
 * after a grace period the drafting closes as missed so the cascade moves on.
 */
export async function teamDraftingWorkflow(input: TeamDraftingInput): Promise<TeamDraftingResult> {
  const { team } = input;
  const clock = new PhaseClock(input.deadlineAt);
  const leaders = new Set(team.leaderIds);
  const approvers = new Set([...team.leaderIds, ...input.parentLeaderIds]);
  const escalateTo = input.parentLeaderIds.length > 0 ? input.parentLeaderIds : team.leaderIds;
  const status: TeamDraftingStatus = {
    teamId: team.id,
    state: "drafting",
    deadline: new Date(input.deadlineAt).toISOString(),
    paused: false,
    objectiveIds: [],
    adoptedKeyResultIds: [],
    submissions: 0,
    remindersSent: 0,
    escalated: false,
  };
  const snapshot = (): TeamDraftingStatus => ({
    ...status,
    paused: clock.paused,
    deadline: new Date(clock.deadlineAt ?? input.deadlineAt).toISOString(),
  });
  // Current details for the Temporal UI: local state (no command), refreshed on every clock change and wait.
  const describe = () =>
    setCurrentDetails(
      draftingDetails(
        {
          organizationId: input.organizationId,
          organizationName: input.organizationName,
          cycleId: input.cycleId,
          cycleName: input.cycleName,
          teamId: team.id,
          teamName: team.name,
        },
        {
          phase: input.phase,
          state: status.state,
          deadlineAt: clock.deadlineAt ?? input.deadlineAt,
          escalated: status.escalated,
          paused: clock.paused,
        },
      ),
    );
  clock.onChange = describe;
  describe();
  const isOver = () => status.state === "approved" || status.state === "missed" || status.state === "closed";
  const rejectIfNotOpen = () => {
    if (isOver()) throw reject(REJECTION.wrongPhase, `drafting for team ${team.name} is ${status.state}`);
    if (clock.paused) throw reject(REJECTION.invalidState, "the cycle is paused; try again after it resumes");
  };

  setHandler(teamStatusQuery, snapshot);
  setHandler(
    submitObjectivesUpdate,
    (submission) => {
      status.state = "submitted";
      status.submittedBy = submission.actorId;
      status.objectiveIds = [...new Set(submission.objectiveIds ?? [])];
      status.adoptedKeyResultIds = [...new Set(submission.adoptedKeyResultIds ?? [])];
      status.submissions++;
      clock.touch();
      return snapshot();
    },
    {
      validator: (submission) => {
        rejectIfNotOpen();
        if (!leaders.has(submission.actorId))
          throw reject(
            REJECTION.notLeader,
            `${submission.actorId} is not a leader of team ${team.name}; only its leaders submit its objectives`,
          );
        if ((submission.objectiveIds?.length ?? 0) + (submission.adoptedKeyResultIds?.length ?? 0) === 0)
          throw reject(
            REJECTION.invalidInput,
            "submit at least one objective of the team's own or one key result adopted from the parent team",
          );
        if (status.submissions >= MAX_SUBMISSIONS)
          throw reject(
            REJECTION.invalidState,
            `team ${team.name} has revised its submission ${MAX_SUBMISSIONS} times`,
          );
      },
    },
  );
  setHandler(
    approveObjectivesUpdate,
    (approval) => {
      status.state = "approved";
      status.approvedBy = approval.actorId;
      clock.touch();
      return snapshot();
    },
    {
      validator: (approval) => {
        rejectIfNotOpen();
        if (!approvers.has(approval.actorId))
          throw reject(
            REJECTION.notLeader,
            `${approval.actorId} may not approve: only leaders of team ${team.name} or of its parent team approve`,
          );
        if (status.state !== "submitted")
          throw reject(REJECTION.invalidState, `team ${team.name} has not submitted objectives yet`);
      },
    },
  );
  setHandler(teamControlSignal, (control) => {
    if (control.action === "pause") clock.pause("the cycle is paused");
    else if (control.action === "resume") clock.resume();
    else if (control.action === "extend") clock.extend(control.seconds * 1000);
    else if (!isOver()) {
      status.state = "closed";
      clock.touch();
    }
  });

  const remind = async (escalation: boolean) => {
    const deadline = clock.deadlineAt ?? input.deadlineAt;
    const dueAt = new Date(deadline).toISOString();
    const awaitingApproval = status.state === "submitted";
    const action = awaitingApproval ? "approve-objectives" : "draft-objectives";
    const recipients = escalation ? escalateTo : awaitingApproval ? [...approvers] : team.leaderIds;
    const what =
      input.phase === "SETTING" && input.mission
        ? `top-level objectives for team ${team.name}, drafted against the mission: ${input.mission}`
        : `objectives for team ${team.name} (adopt a key result of the parent team or set your own)`;
    const message = escalation
      ? `Escalation: team ${team.name} missed its drafting deadline ${dueAt}; ${awaitingApproval ? "its submission awaits approval" : "nothing has been submitted"}.`
      : `${awaitingApproval ? "Please approve" : "Please draft and submit"} ${what} by ${dueAt}.`;
    const reminders: ReminderRequest[] = recipients.map((personId) => ({
      key: `${input.phase}/${team.id}/${escalation ? "escalation" : "reminder"}/${deadline}/${personId}`,
      phase: input.phase,
      action,
      recipient: { kind: "person", id: personId },
      dueAt,
      escalation,
      message: message.slice(0, 1000),
      teamId: team.id,
    }));
    try {
      status.remindersSent += await activities.publishReminders({
        organizationId: input.organizationId,
        cycleId: input.cycleId,
        workflowId: workflowIds.team(input.organizationId, input.cycleId, team.id),
        reminders,
      });
    } catch (error) {
      // A reminder that cannot be published must not stall the cascade; the failure is in the history.
      log.warn("reminder not published", { teamId: team.id, error: String(error) });
    }
  };

  const settled = () => isOver();
  if ((await clock.until(() => (clock.deadlineAt ?? 0) - input.reminderLeadMs, settled)) === "time")
    await remind(false);
  if ((await clock.until(() => clock.deadlineAt, settled)) === "time") {
    status.escalated = true;
    await remind(true);
    if ((await clock.until(() => (clock.deadlineAt ?? 0) + input.escalationGraceMs, settled)) === "time")
      status.state = "missed";
  }
  if (status.state === "approved" && status.objectiveIds.length > 0 && status.approvedBy) {
    await activities.approveObjectives({
      organizationId: input.organizationId,
      objectiveIds: status.objectiveIds,
      actorId: status.approvedBy,
    });
  }
  describe();
  const outcome = status.state === "approved" ? "approved" : status.state === "missed" ? "missed" : "closed";
  return { ...snapshot(), outcome };
}
