import { useQuery } from "@tanstack/react-query";
import { allPages, type Team } from "../api.ts";
import { Link } from "../router.tsx";

/** The organization's teams, once per page however many objectives name one. */
export const useTeams = () => useQuery({ queryKey: ["teams"], queryFn: () => allPages<Team>("/teams") });

/** An objective's owning team as a link to its team page (nothing for a person's objective). */
export function OwnerTeamLink({ owner, cycleId }: { owner: { kind: string; id: string }; cycleId: string }) {
  const teams = useTeams();
  if (owner.kind !== "team") return null;
  const name = teams.data?.find((team) => team.id === owner.id)?.name;
  if (!name) return null;
  return (
    <Link className="chip team-chip" to={`/cycles/${cycleId}/teams/${owner.id}`}>
      <span className="visually-hidden">team </span>
      {name}
    </Link>
  );
}
