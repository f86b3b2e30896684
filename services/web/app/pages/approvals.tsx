import { useMutation } from "@tanstack/react-query";
import { type FormEvent, useId, useState } from "react";
import { api, type Objective } from "../api.ts";
import { KeyResultAims, ObjectiveCard, ObjectiveCards } from "../components/objective-parts.tsx";
import { Loaded, Refused } from "../components/states.tsx";
import { TeamInCycle } from "../components/team-in-cycle.tsx";
import { RunApproval } from "../components/team-run.tsx";
import { useObjectives, useRefreshObjectives, useTeamDrafting } from "../queries.ts";
import { Link } from "../router.tsx";

type Outcome = { verb: "Approved" | "Returned"; title: string };

/**
 * One submitted objective: what it commits to, approve it, or return it with a reason the team can act on.
 * In a cycle run the team's submission is approved as a whole (RunApproval); returning one still works.
 */
function Submission({
  objective,
  approveOnItsOwn,
  onDone,
}: {
  objective: Objective;
  approveOnItsOwn: boolean;
  onDone: (outcome: Outcome) => void;
}) {
  const reasonId = useId();
  const refresh = useRefreshObjectives();
  const [reason, setReason] = useState("");
  const [needsReason, setNeedsReason] = useState(false);
  const decide = useMutation({
    mutationFn: (verb: Outcome["verb"]) =>
      verb === "Approved"
        ? api.post<Objective>(`/objectives/${objective.id}/approve`, {})
        : api.post<Objective>(`/objectives/${objective.id}/return`, { reason: reason.trim() }),
    onSuccess: async (_, verb) => {
      onDone({ verb, title: objective.title });
      await refresh();
    },
  });
  const onReturn = (event: FormEvent) => {
    event.preventDefault();
    setNeedsReason(!reason.trim());
    if (reason.trim()) decide.mutate("Returned");
  };
  const problem = decide.error;
  return (
    <ObjectiveCard objective={objective} showState={false}>
      {objective.description && <p>{objective.description}</p>}
      <KeyResultAims objective={objective} />
      <Refused error={problem} fallback="The decision failed" />
      <div className="decision">
        {approveOnItsOwn && (
          <button
            type="button"
            className="primary"
            disabled={decide.isPending}
            onClick={() => decide.mutate("Approved")}
          >
            Approve<span className="visually-hidden"> “{objective.title}”</span>
          </button>
        )}
        <form className="return-form" onSubmit={onReturn} noValidate>
          <div className="field">
            <label htmlFor={reasonId}>Reason for returning it</label>
            <textarea
              id={reasonId}
              rows={2}
              value={reason}
              aria-invalid={needsReason || undefined}
              aria-describedby={`${reasonId}-hint`}
              onChange={(event) => setReason(event.target.value)}
            />
            <p id={`${reasonId}-hint`} className={needsReason ? "hint error-text" : "hint"}>
              {needsReason
                ? "Say what the team should change: a return needs a reason."
                : "What the team should change before it comes back."}
            </p>
          </div>
          <button type="submit" disabled={decide.isPending}>
            Return to the team<span className="visually-hidden"> “{objective.title}”</span>
          </button>
        </form>
      </div>
    </ObjectiveCard>
  );
}

/** A leader's review of what a team submitted: approve each objective or return it with a reason. */
export function ApprovalsPage({ cycleId, teamId }: { cycleId: string; teamId: string }) {
  const submitted = useObjectives(cycleId, { teamId, state: "submitted" });
  const run = useTeamDrafting(cycleId, teamId);
  const approveOnItsOwn = run.isSuccess ? run.data === null : run.isError;
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  return (
    <section aria-labelledby="approvals-title">
      <TeamInCycle cycleId={cycleId} teamId={teamId}>
        {(cycle, team) => (
          <>
            <p>
              <Link to={`/cycles/${cycleId}/teams/${teamId}/objectives`}>
                ← All of {team.name}'s objectives
              </Link>
            </p>
            <h1 id="approvals-title">
              Approve {team.name}'s objectives <span className="muted">in {cycle.name}</span>
            </h1>
            {run.data && (
              <RunApproval cycleId={cycleId} teamId={teamId} teamName={team.name} run={run.data} />
            )}
          </>
        )}
      </TeamInCycle>
      <div aria-live="polite">
        {outcome && (
          <p className="state ok" role="status">
            {outcome.verb} “{outcome.title}”.
          </p>
        )}
      </div>
      <Loaded query={submitted} what="the submitted objectives">
        {(list) => (
          <ObjectiveCards
            objectives={list}
            empty="Nothing waits for approval from this team."
            card={(objective) => (
              <Submission objective={objective} approveOnItsOwn={approveOnItsOwn} onDone={setOutcome} />
            )}
          />
        )}
      </Loaded>
    </section>
  );
}
