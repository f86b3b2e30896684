import { isDrafting, useCycles, useMe } from "../queries.ts";
import { Link } from "../router.tsx";

/**
 * Where each of my teams writes its objectives in the cycles being set now. My work lists only what
 * the cycle asks of leaders; members write their team's objectives too, and start here.
 */
export function MyTeamsObjectives() {
  const me = useMe();
  const cycles = useCycles();
  const drafting = (cycles.data ?? []).filter((cycle) => isDrafting(cycle.phase));
  const teams = me.data?.teams ?? [];
  if (drafting.length === 0 || teams.length === 0) return null;
  return (
    <section aria-labelledby="my-teams-title">
      <h2 id="my-teams-title">My teams' objectives</h2>
      <ul className="cards">
        {drafting.flatMap((cycle) =>
          teams.map((team) => (
            <li key={`${cycle.id}:${team.teamId}`} className="card">
              <Link to={`/cycles/${cycle.id}/teams/${team.teamId}/objectives`}>
                {team.name}'s objectives in {cycle.name}
              </Link>
              <span className="badge">{cycle.phase.toLowerCase()}</span>
            </li>
          )),
        )}
      </ul>
    </section>
  );
}
