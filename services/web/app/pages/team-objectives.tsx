import { checkObjectiveCountOnSubmit, type OkrPolicy } from "@okr/goals-domain";
import { useMutation } from "@tanstack/react-query";
import { api, type Cycle, type Objective } from "../api.ts";
import { KeyResultAims, ObjectiveCard } from "../components/objective-parts.tsx";
import { Empty, Loaded, Refused } from "../components/states.tsx";
import { isDrafting, useCycle, useObjectives, usePolicy, useRefreshObjectives, useTeam } from "../queries.ts";
import { Link } from "../router.tsx";

const EDITABLE = ["draft", "returned", "submitted"];
const SUBMITTABLE = ["draft", "returned"];

/** One objective as its team sees it while writing: state, key results, the reason it came back, actions. */
function TeamObjective({ objective, drafting }: { objective: Objective; drafting: boolean }) {
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
          {SUBMITTABLE.includes(objective.state) && (
            <button
              type="button"
              className="primary"
              disabled={submit.isPending}
              onClick={() => submit.mutate()}
            >
              {submit.isPending ? "Submitting…" : "Submit for approval"}
              <span className="visually-hidden"> “{objective.title}”</span>
            </button>
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
  const drafting = isDrafting(cycle.phase);
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
            {list.length === 0 ? (
              <Empty>{teamName} has no objectives in this cycle yet.</Empty>
            ) : (
              <ul className="tree root">
                {list.map((objective) => (
                  <TeamObjective key={objective.id} objective={objective} drafting={drafting} />
                ))}
              </ul>
            )}
          </>
        )}
      </Loaded>
    </section>
  );
}

/** A team's objectives in a cycle: write them, see what came back and why, submit them for approval. */
export function TeamObjectivesPage({ cycleId, teamId }: { cycleId: string; teamId: string }) {
  const cycle = useCycle(cycleId);
  const team = useTeam(teamId);
  return (
    <Loaded query={cycle} what="the cycle">
      {(cycleData) => (
        <Loaded query={team} what="the team">
          {(teamData) => <TeamObjectives cycle={cycleData} teamId={teamId} teamName={teamData.name} />}
        </Loaded>
      )}
    </Loaded>
  );
}
