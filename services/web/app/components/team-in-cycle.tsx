import type { ReactNode } from "react";
import type { Cycle, Team } from "../api.ts";
import { useCycle, useTeam } from "../queries.ts";
import { Loaded } from "./states.tsx";

/** A team's page in a cycle once the cycle and the team are read: `children` with both. */
export function TeamInCycle({
  cycleId,
  teamId,
  children,
}: {
  cycleId: string;
  teamId: string;
  children: (cycle: Cycle, team: Team) => ReactNode;
}) {
  const cycle = useCycle(cycleId);
  const team = useTeam(teamId);
  return (
    <Loaded query={cycle} what="the cycle">
      {(cycleData) => (
        <Loaded query={team} what="the team">
          {(teamData) => children(cycleData, teamData)}
        </Loaded>
      )}
    </Loaded>
  );
}
