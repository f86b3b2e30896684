import { useQuery } from "@tanstack/react-query";
import { allPages, type CycleRun, getUnlessMissing, type RunTeam } from "../api.ts";
import { Figure } from "../components/figure.tsx";
import { PHASES, phaseName } from "../components/phases.ts";
import { RunActions, StartRun } from "../components/run-actions.tsx";
import { ScrollTable } from "../components/scroll-table.tsx";
import { Empty, Loaded } from "../components/states.tsx";
import { useCycle, useMe, useSession } from "../queries.ts";
import { Link } from "../router.tsx";

const timeFormat = new Intl.DateTimeFormat(undefined, {
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
});
const at = (iso: string) => timeFormat.format(new Date(iso));

/** The run moves by itself (deadlines, the worker's steps): the page asks again this often. */
const REFRESH_MS = 5_000;

/** Why a phase ended, as the phase log says (each change logs the old phase's end and the new one's start). */
const ENDED: Record<Exclude<CycleRun["phaseLog"][number]["reason"], "start">, string> = {
  complete: "everyone was done",
  deadline: "deadline reached",
  admin: "advanced by an admin",
};

/** Every phase in order: the ones done with when they began and ended, the current one with its deadline. */
function PhaseTimeline({ run }: { run: CycleRun }) {
  const current = PHASES.indexOf(run.phase);
  return (
    <ol className="timeline">
      {PHASES.map((phase, index) => {
        const started = run.phaseLog.findLast((entry) => entry.phase === phase && entry.reason === "start");
        const ended = run.phaseLog.findLast((entry) => entry.phase === phase && entry.reason !== "start");
        const state = index < current ? "done" : index === current ? "current" : "upcoming";
        return (
          <li key={phase} className={`step ${state}`} aria-current={state === "current" ? "step" : undefined}>
            <span className="step-name">{phaseName(phase)}</span>
            <span className="step-state">
              {state === "current" ? (run.paused ? "current, paused" : "current") : state}
            </span>
            {started && index <= current ? <span className="muted">started {at(started.at)}</span> : null}
            {ended && ended.reason !== "start" && index < current ? (
              <span className="muted">
                ended {at(ended.at)} ({ENDED[ended.reason]})
              </span>
            ) : null}
            {state === "current" && run.deadline ? <span>deadline {at(run.deadline)}</span> : null}
          </li>
        );
      })}
    </ol>
  );
}

const DRAFTING: Record<NonNullable<RunTeam["drafting"]>["state"], string> = {
  drafting: "drafting",
  submitted: "submitted, awaiting approval",
  approved: "approved",
  missed: "missed its deadline",
  closed: "closed",
};

function TeamsTable({ cycleId, teams }: { cycleId: string; teams: RunTeam[] }) {
  if (teams.length === 0) return <Empty>The organization has no teams yet.</Empty>;
  return (
    <ScrollTable
      columns={["Team", "Drafting", "Deadline", "Reminders"]}
      caption="Each team's drafting in this run"
    >
      {teams.map((team) => (
        <tr key={team.teamId}>
          <th scope="row">
            <Link to={`/cycles/${cycleId}/teams/${team.teamId}`}>{team.name}</Link>
          </th>
          <td>
            {team.drafting ? DRAFTING[team.drafting.state] : "not open"}
            {team.drafting?.escalated ? <span className="chip at-risk">escalated</span> : null}
          </td>
          <td>{team.drafting ? at(team.drafting.deadline) : "–"}</td>
          <td>{team.drafting ? team.drafting.remindersSent : "–"}</td>
        </tr>
      ))}
    </ScrollTable>
  );
}

function RunFacts({ run }: { run: CycleRun }) {
  return (
    <dl className="facts">
      <Figure label="Teams approved" value={`${run.teams.approved} of ${run.teams.total}`} />
      <Figure
        label="Drafting open / waiting / missed"
        value={`${run.teams.open} / ${run.teams.waiting} / ${run.teams.missed}`}
      />
      <Figure label="Check-ins due" value={run.checkIns.due} />
      <Figure label="Check-in reminders sent" value={run.checkIns.remindersSent} />
      <Figure label="At-risk alerts" value={run.checkIns.atRiskAlerts} />
      <Figure
        label="Organization score"
        value={
          run.scoring.organizationScore === null ? "not scored" : run.scoring.organizationScore.toFixed(2)
        }
      />
    </dl>
  );
}

/** The run on the workflow engine: where it is, who is late, and (for admins) the controls. */
export function CycleRunPage({ cycleId }: { cycleId: string }) {
  const path = `/cycles/${encodeURIComponent(cycleId)}`;
  const cycle = useCycle(cycleId);
  const run = useQuery({
    queryKey: ["run", cycleId],
    // No run yet is a steady state (null), kept while the page asks again: an admin may just have started it.
    queryFn: () => getUnlessMissing<CycleRun>(`${path}/run`),
    refetchInterval: (query) => (query.state.data?.phase === "CLOSED" ? false : REFRESH_MS),
  });
  const teams = useQuery({
    queryKey: ["run-teams", cycleId],
    queryFn: () => allPages<RunTeam>(`${path}/run/teams`, 20, 200),
    enabled: Boolean(run.data),
    refetchInterval: REFRESH_MS * 2,
  });
  const me = useMe();
  const session = useSession();
  const isAdmin = me.data?.roles.includes("admin") ?? false;
  const temporalUi = session.data?.links?.temporalUi;
  const notRunning = run.data === null;
  return (
    <section aria-labelledby="run-title">
      <h1 id="run-title">Cycle run{cycle.data ? `: ${cycle.data.name}` : ""}</h1>
      <p className="page-links">
        <Link to={path}>OKR tree</Link>
        {temporalUi && !notRunning ? (
          <a
            href={`${temporalUi}/workflows?query=${encodeURIComponent(`OkrCycle="${cycleId}"`)}`}
            target="_blank"
            rel="noreferrer"
          >
            This run in the Temporal UI (opens a new tab)
          </a>
        ) : null}
      </p>
      {notRunning ? (
        <>
          <Empty>This cycle is not running on the workflow engine. An admin starts its run.</Empty>
          {isAdmin && cycle.data?.phase !== "CLOSED" && <StartRun cycleId={cycleId} />}
        </>
      ) : (
        <Loaded query={run} what="the cycle run">
          {(data) =>
            data && (
              <>
                {data.paused && (
                  <p className="state warning">
                    <strong>Paused</strong>
                    {data.pausedReason ? `: ${data.pausedReason}` : ""}. No deadline runs out until it
                    resumes.
                  </p>
                )}
                <h2>Phases</h2>
                <PhaseTimeline run={data} />
                <h2>Progress</h2>
                <RunFacts run={data} />
                <h2>Teams' drafting</h2>
                <Loaded query={teams} what="the teams' drafting">
                  {(list) => <TeamsTable cycleId={cycleId} teams={list} />}
                </Loaded>
                <h2>Admin actions</h2>
                {isAdmin ? (
                  <RunActions cycleId={cycleId} run={data} />
                ) : (
                  <p className="muted">
                    Pausing, resuming, advancing and extending the run are for the organization's admins.
                  </p>
                )}
              </>
            )
          }
        </Loaded>
      )}
    </section>
  );
}
