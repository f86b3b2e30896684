import { checkObjectiveCountOnSubmit, type OkrPolicy } from "@okr/goals-domain";
import { useMutation } from "@tanstack/react-query";
import { api, type Cycle, type Objective } from "../api.ts";
import { KeyResultAims, ObjectiveCard, ObjectiveCards } from "../components/objective-parts.tsx";
import { SendButton } from "../components/send-button.tsx";
import { Loaded, Refused } from "../components/states.tsx";
import { TeamInCycle } from "../components/team-in-cycle.tsx";
import { RunSubmission, SUBMITTABLE } from "../components/team-run.tsx";
import { isDrafting, useObjectives, usePolicy, useRefreshObjectives, useTeamDrafting } from "../queries.ts";
import { Link } from "../router.tsx";

const EDITABLE = ["draft", "returned", "submitted"];

/**
 * One objective as its team sees it while writing: state, key results, the reason it came back, actions.
 * It is submitted on its own only when no cycle run expects the team's objectives together.
 */
function TeamObjective({
  objective,
  drafting,
  submitOnItsOwn,
}: {
  objective: Objective;
  drafting: boolean;
  submitOnItsOwn: boolean;
}) {
  const refresh = useRefreshObjectives();
  const submit = useMutation({
    mutationFn: () => api.post<Objective>(`/objectives/${objective.id}/submit`, {}),
    onSuccess: () => refresh(),
  });
  const problem = submit.error;
  return (
    <ObjectiveCard objective={objective} showState>
      {objective.state === "returned" && objective.returnReason && (
        <p className="state note">
          <strong>Returned:</strong> {objective.returnReason}
        </p>
      )}
      <KeyResultAims objective={objective} />
      <Refused error={problem} fallback="Submitting failed" />
      {drafting && (
        <div className="actions">
          {EDITABLE.includes(objective.state) && (
            <Link to={`/objectives/${objective.id}/edit`} className="button">
              Edit<span className="visually-hidden"> “{objective.title}”</span>
            </Link>
          )}
          {submitOnItsOwn && SUBMITTABLE.includes(objective.state) && (
            <SendButton action={submit} busy="Submitting…">
              Submit for approval<span className="visually-hidden"> “{objective.title}”</span>
            </SendButton>
          )}
        </div>
      )}
    </ObjectiveCard>
  );
}

/** The method's 3–5 objectives per owner and cycle, from goals-domain's own rule. */
function CountNote({ policy, count }: { policy: OkrPolicy; count: number }) {
  const { min, max } = policy.objectivesPerOwner;
  const verdict = checkObjectiveCountOnSubmit(policy, count);
  const breach = [...verdict.errors, ...verdict.warnings][0];
  return (
    <p className={`state ${breach ? "note" : "ok"}`} role="status">
      {count} of {min}–{max} objectives written
      {breach
        ? `: ${breach.message}${breach.hint ? ` (${breach.hint})` : ""}.`
        : ", within the method's limits."}
    </p>
  );
}

function TeamObjectives({ cycle, teamId, teamName }: { cycle: Cycle; teamId: string; teamName: string }) {
  const objectives = useObjectives(cycle.id, { teamId });
  const policy = usePolicy();
  const run = useTeamDrafting(cycle.id, teamId);
  const drafting = isDrafting(cycle.phase);
  // Without a run (404) objectives go one by one; while the run's state is unknown, neither way is offered.
  const submitOnItsOwn = drafting && (run.isSuccess ? run.data === null : run.isError);
  return (
    <section aria-labelledby="team-title">
      <p>
        <Link to={`/cycles/${cycle.id}`}>← {cycle.name}'s OKR tree</Link>
      </p>
      <h1 id="team-title">
        {teamName}'s objectives <span className="muted">in {cycle.name}</span>
      </h1>
      {!drafting && (
        <p className="state note">
          Objectives are written and approved in the setting and cascade phases; {cycle.name} is in{" "}
          {cycle.phase.replace("_", " ").toLowerCase()}.
        </p>
      )}
      <Loaded query={objectives} what={`${teamName}'s objectives`}>
        {(list) => (
          <>
            <Loaded query={policy} what="the OKR policy">
              {(limits) => <CountNote policy={limits} count={list.length} />}
            </Loaded>
            {drafting && run.data && (
              <RunSubmission
                cycleId={cycle.id}
                teamId={teamId}
                teamName={teamName}
                run={run.data}
                objectives={list}
              />
            )}
            {drafting && <Refused error={run.error} fallback="The cycle run's state could not be read" />}
            <div className="actions">
              {drafting && (
                <Link to={`/cycles/${cycle.id}/teams/${teamId}/objectives/new`} className="button primary">
                  Write an objective
                </Link>
              )}
              {list.some((o) => o.state === "submitted") && (
                <Link to={`/cycles/${cycle.id}/teams/${teamId}/approvals`} className="button">
                  Review submitted objectives
                </Link>
              )}
            </div>
            <ObjectiveCards
              objectives={list}
              empty={`${teamName} has no objectives in this cycle yet.`}
              card={(objective) => (
                <TeamObjective objective={objective} drafting={drafting} submitOnItsOwn={submitOnItsOwn} />
              )}
            />
          </>
        )}
      </Loaded>
    </section>
  );
}

/** A team's objectives in a cycle: write them, see what came back and why, submit them for approval. */
export function TeamObjectivesPage({ cycleId, teamId }: { cycleId: string; teamId: string }) {
  return (
    <TeamInCycle cycleId={cycleId} teamId={teamId}>
      {(cycle, team) => <TeamObjectives cycle={cycle} teamId={teamId} teamName={team.name} />}
    </TeamInCycle>
  );
}
