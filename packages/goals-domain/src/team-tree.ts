import type { RuleViolation } from "./rules.ts";

export interface TeamNode {
  id: string;
  parentTeamId: string | null;
}

/** The chain of ancestors of a team, nearest first (stops on a loop rather than spinning). */
export function ancestorsOf(teamId: string, parents: ReadonlyMap<string, string | null>): string[] {
  const chain: string[] = [];
  const seen = new Set([teamId]);
  let current = parents.get(teamId) ?? null;
  while (current && !seen.has(current)) {
    chain.push(current);
    seen.add(current);
    current = parents.get(current) ?? null;
  }
  return chain;
}

export const depthOf = (teamId: string, parents: ReadonlyMap<string, string | null>) =>
  ancestorsOf(teamId, parents).length;

/** Re-parenting must keep the team tree a tree: never under itself or one of its own descendants. */
export function checkParent(
  teamId: string,
  newParentId: string | null,
  parents: ReadonlyMap<string, string | null>,
): RuleViolation | undefined {
  if (newParentId === null) return undefined;
  if (newParentId === teamId)
    return { code: "team-parent-self", message: "a team cannot be its own parent", path: "/parentTeamId" };
  if (ancestorsOf(newParentId, parents).includes(teamId))
    return {
      code: "team-parent-cycle",
      message: `team ${newParentId} is inside team ${teamId}; moving ${teamId} under it would form a loop`,
      path: "/parentTeamId",
    };
  return undefined;
}

/** Teams ordered parents-first (top layer first), as a cascade walks them. */
export function topDown(teams: readonly TeamNode[]): TeamNode[] {
  const parents = new Map(teams.map((t) => [t.id, t.parentTeamId] as const));
  return [...teams].sort(
    (a, b) => depthOf(a.id, parents) - depthOf(b.id, parents) || a.id.localeCompare(b.id),
  );
}
