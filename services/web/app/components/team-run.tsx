import { useMutation } from "@tanstack/react-query";
import { api, type Objective, type TeamDraftingOf } from "../api.ts";
import { useRefreshObjectives } from "../queries.ts";
import { Link } from "../router.tsx";
import { Deadline } from "./deadline.tsx";
import { SendButton } from "./send-button.tsx";
import { Refused } from "./states.tsx";

type Drafting = NonNullable<TeamDraftingOf["drafting"]>;

/** Objectives a submission through the run carries: the team's own that are not on their way already. */
export const SUBMITTABLE = ["draft", "returned"];

const teamPath = (cycleId: string, teamId: string, action: "submit" | "approve") =>
  `/cycles/${encodeURIComponent(cycleId)}/teams/${encodeURIComponent(teamId)}/${action}`;

/**
 * A team's drafting when its cycle runs on the workflow engine: the run expects one submission of the
 * team's objectives by its deadline (submitting one by one would leave the run waiting until the deadline
 * marks the team as missed), and says where the team stands.
 */
export function RunSubmission({
  cycleId,
  teamId,
  teamName,
  run,
  objectives,
}: {
  cycleId: string;
  teamId: string;
  teamName: string;
  run: TeamDraftingOf;
  objectives: Objective[];
}) {
  const refresh = useRefreshObjectives();
  const open = objectives.filter((objective) => SUBMITTABLE.includes(objective.state));
  const submit = useMutation({
    mutationFn: () =>
      api.post<Drafting>(teamPath(cycleId, teamId, "submit"), { objectiveIds: open.map((o) => o.id) }),
    onSuccess: () => refresh(),
  });
  const { drafting } = run;
  if (!drafting)
    return (
      <p className="state note run-panel" role="status">
        This cycle runs on the workflow engine. {teamName}'s drafting opens when its parent team's closes; its
        objectives are submitted together then.
      </p>
    );
  switch (drafting.state) {
    case "drafting":
      return (
        <div className="state note run-panel">
          <p>
            The cycle run expects {teamName}'s objectives, <Deadline dueAt={drafting.deadline} />
            {drafting.paused ? " (the run is paused: the deadline waits)" : ""}. Submit them together when
            they are ready.
            {drafting.submissions > 0 ? " A returned objective goes back with the next submission." : ""}
          </p>
          <Refused error={submit.error} fallback="Submitting failed" />
          <SendButton action={submit} busy="Submitting…" disabled={open.length === 0}>
            Submit {teamName}'s objectives ({open.length}) for approval
          </SendButton>
        </div>
      );
    case "submitted":
      return (
        <p className="state ok run-panel" role="status">
          Submitted in the cycle run; waiting for approval by the leaders of {teamName} or its parent team (
          <Link to={`/cycles/${cycleId}/teams/${teamId}/approvals`}>review it</Link>).
        </p>
      );
    case "approved":
      return (
        <p className="state ok run-panel" role="status">
          Approved in the cycle run.
        </p>
      );
    case "missed":
      return (
        <p className="state warning run-panel" role="status">
          {teamName}'s drafting deadline passed without an approved submission: the run went on without it.
        </p>
      );
    case "closed":
      return (
        <p className="state note run-panel" role="status">
          {teamName}'s drafting in the cycle run is closed.
        </p>
      );
  }
}

/** Approving a team's submission in the run: the run then approves each of its objectives in goals. */
export function RunApproval({
  cycleId,
  teamId,
  teamName,
  run,
}: {
  cycleId: string;
  teamId: string;
  teamName: string;
  run: TeamDraftingOf;
}) {
  const refresh = useRefreshObjectives();
  const approve = useMutation({
    mutationFn: () => api.post<Drafting>(teamPath(cycleId, teamId, "approve"), {}),
    onSuccess: () => refresh(),
  });
  const state = run.drafting?.state;
  if (state === "approved")
    return (
      <p className="state ok run-panel" role="status">
        {teamName}'s submission is approved in the cycle run; its objectives turn approved as the run records
        it.
      </p>
    );
  if (state !== "submitted")
    return (
      <p className="state note run-panel" role="status">
        The cycle run has no submission of {teamName}'s to approve yet.
      </p>
    );
  return (
    <div className="state note run-panel">
      <p>
        {teamName} submitted its objectives in the cycle run. Approve them together, or return one with a
        reason: the team then submits again.
      </p>
      <Refused error={approve.error} fallback="Approving failed" />
      <SendButton action={approve} busy="Approving…">
        Approve {teamName}'s submission
      </SendButton>
    </div>
  );
}
