import { useQuery } from "@tanstack/react-query";
import { allPages, api, type CheckInStatus, type Objective, type Team, type TeamHeatmap } from "../api.ts";
import { AtRisk, grade, KeyResultFacts, ScoreChip } from "../components/score.tsx";
import { ScrollTable } from "../components/scroll-table.tsx";
import { Empty, Loaded } from "../components/states.tsx";
import { useCycle, usePeople, useTeam } from "../queries.ts";
import { Link } from "../router.tsx";

/** "Not checked in" means no check-in within a week: the default cadence of the method. */
const CHECK_IN_WINDOW_DAYS = 7;

function Objectives({ objectives }: { objectives: Objective[] }) {
  if (objectives.length === 0) return <Empty>The team has no objectives in this cycle yet.</Empty>;
  return (
    <ul className="cards objectives">
      {objectives.map((objective) => (
        <li key={objective.id} className="card objective-card">
          <div className="objective-head">
            <h3>{objective.title}</h3>
            <div className="chips">
              <span className="chip">{objective.state.toLowerCase()}</span>
              <ScoreChip score={objective.score} band={objective.band} />
              <AtRisk atRisk={objective.atRisk} />
            </div>
          </div>
          <ul className="key-results">
            {objective.keyResults.map((kr) => (
              <li key={kr.id}>
                <Link to={`/key-results/${kr.id}`}>{kr.title}</Link>
                <KeyResultFacts kr={kr} />
              </li>
            ))}
          </ul>
        </li>
      ))}
    </ul>
  );
}

/** One row per team below, its objectives as cells coloured by grade band (the band is also in words). */
function Heatmap({
  cycleId,
  heatmap,
  teamName,
}: {
  cycleId: string;
  heatmap: TeamHeatmap;
  teamName: string;
}) {
  if (heatmap.teams.length === 0) return <Empty>No teams below {teamName}.</Empty>;
  return (
    <ScrollTable
      className="heatmap"
      columns={["Team", "Objectives' scores"]}
      caption={`Objective scores of the teams below ${teamName}`}
    >
      {heatmap.teams.map((team) => (
        <tr key={team.teamId}>
          <th scope="row" style={{ paddingLeft: `${0.6 + (team.depth - 1) * 1}rem` }}>
            <Link to={`/cycles/${cycleId}/teams/${team.teamId}`}>{team.name}</Link>
          </th>
          <td>
            {team.objectives.length === 0 ? (
              <span className="muted">no objectives</span>
            ) : (
              <ul className="heat">
                {team.objectives.map((objective) => (
                  <li key={objective.objectiveId} className={`heat-cell band-${objective.band ?? "none"}`}>
                    <span className="heat-title">{objective.title}</span>
                    <strong>{grade(objective.score)}</strong>
                    {objective.band ? <span className="visually-hidden"> ({objective.band})</span> : null}
                    {objective.atRisk ? <span className="chip at-risk">at risk</span> : null}
                  </li>
                ))}
              </ul>
            )}
          </td>
        </tr>
      ))}
    </ScrollTable>
  );
}

/** Key results of the team (and of its people) without a check-in in the window, by who owns them. */
function NotCheckedIn({
  missing,
  objectives,
  team,
}: {
  missing: CheckInStatus[];
  objectives: Objective[];
  team: Team;
}) {
  const personOwned = missing.some((row) => row.owner.kind === "person");
  const people = usePeople(personOwned);
  if (missing.length === 0)
    return <Empty>Every key result has a check-in from the last {CHECK_IN_WINDOW_DAYS} days.</Empty>;
  const titles = new Map(objectives.flatMap((o) => o.keyResults.map((kr) => [kr.id, kr.title] as const)));
  const who = (row: CheckInStatus) =>
    row.owner.kind === "team"
      ? team.name
      : (people.data?.find((person) => person.id === row.owner.id)?.name ?? "a member");
  return (
    <ul className="cards" aria-label="Key results without a recent check-in">
      {missing.map((row) => (
        <li key={row.keyResultId} className="card">
          <strong>{who(row)}</strong>
          <Link to={`/key-results/${row.keyResultId}`}>
            {titles.get(row.keyResultId) ?? "their key result"}
          </Link>
          <span className="muted">
            {row.lastCheckInAt
              ? `last check-in ${new Date(row.lastCheckInAt).toLocaleDateString()}`
              : "no check-in yet"}
          </span>
        </li>
      ))}
    </ul>
  );
}

/** A team in a cycle: its objectives, the teams below it as a heatmap, and who owes a check-in. */
export function TeamPage({ cycleId, teamId }: { cycleId: string; teamId: string }) {
  const cyclePath = `/cycles/${encodeURIComponent(cycleId)}`;
  const team = useTeam(teamId);
  const cycle = useCycle(cycleId);
  const objectives = useQuery({
    queryKey: ["objectives", cycleId, teamId],
    queryFn: () =>
      allPages<Objective>(
        `/objectives?cycleId=${encodeURIComponent(cycleId)}&teamId=${encodeURIComponent(teamId)}`,
      ),
  });
  const heatmap = useQuery({
    queryKey: ["heatmap", cycleId, teamId],
    queryFn: () => api.get<TeamHeatmap>(`${cyclePath}/teams/${encodeURIComponent(teamId)}/heatmap`),
  });
  const checkIns = useQuery({
    queryKey: ["check-in-status", cycleId],
    queryFn: () => {
      const since = new Date(Date.now() - CHECK_IN_WINDOW_DAYS * 86_400_000).toISOString();
      return api.get<{ keyResults: CheckInStatus[] }>(
        `${cyclePath}/check-in-status?since=${encodeURIComponent(since)}`,
      );
    },
  });
  return (
    <Loaded query={team} what="the team">
      {(data) => (
        <section aria-labelledby="team-title">
          <h1 id="team-title">{data.name}</h1>
          <p className="page-links">
            {cycle.data ? <span className="muted">{cycle.data.name}</span> : null}
            {data.parentTeamId ? (
              <Link to={`${cyclePath}/teams/${data.parentTeamId}`}>Parent team</Link>
            ) : null}
            <Link to={cyclePath}>OKR tree</Link>
            <Link to={`${cyclePath}/run`}>Cycle run</Link>
            <Link to={`${cyclePath}/teams/${teamId}/objectives`}>Write and submit objectives</Link>
            <Link to={`${cyclePath}/teams/${teamId}/retrospective`}>Retrospective</Link>
          </p>
          <h2>Objectives</h2>
          <Loaded query={objectives} what="the team's objectives">
            {(list) => <Objectives objectives={list} />}
          </Loaded>
          <h2>Teams below</h2>
          <Loaded query={heatmap} what="the teams below">
            {(map) => <Heatmap cycleId={cycleId} heatmap={map} teamName={data.name} />}
          </Loaded>
          <h2>Not checked in (last {CHECK_IN_WINDOW_DAYS} days)</h2>
          <Loaded query={checkIns} what="check-ins">
            {({ keyResults }) => (
              <NotCheckedIn
                missing={keyResults.filter((row) => row.teamId === teamId && row.missing)}
                objectives={objectives.data ?? []}
                team={data}
              />
            )}
          </Loaded>
        </section>
      )}
    </Loaded>
  );
}
