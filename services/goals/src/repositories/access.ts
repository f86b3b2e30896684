import { isUuid } from "@okr/events";
import { type Actor, isAdmin, type Owner, type TeamContext } from "@okr/goals-domain";
import type { Principal } from "@okr/service-kit";
import type pg from "pg";

export interface Access {
  actor: Actor;
  context: TeamContext;
}

const EMPTY: ReadonlySet<string> = new Set();

/**
 * Everything the permission rules need about the caller and the owners in question: the caller's team
 * memberships, the person-owners' teams, and the team tree above all of them (one recursive query).
 */
export async function loadAccess(
  pool: pg.Pool,
  principal: Principal,
  owners: readonly Owner[],
): Promise<Access> {
  const base = { personId: principal.subject, roles: principal.roles };
  if (isAdmin(base))
    return {
      actor: { ...base, memberOf: EMPTY, leads: EMPTY },
      context: { parents: new Map(), teamsOfPerson: () => [] },
    };
  const people = [
    ...new Set(
      [principal.subject, ...owners.filter((o) => o.kind === "person").map((o) => o.id)].filter(isUuid),
    ),
  ];
  const ownerTeams = owners.filter((o) => o.kind === "team").map((o) => o.id);
  const { rows: memberships } = await pool.query<{ team_id: string; person_id: string; role: string }>(
    `select team_id, person_id, role from team_memberships where tenant_id = $1 and person_id = any($2::uuid[])`,
    [principal.tenantId, people],
  );
  const seeds = [...new Set([...ownerTeams, ...memberships.map((m) => m.team_id)])];
  const { rows: tree } = await pool.query<{ id: string; parent_team_id: string | null }>(
    `with recursive tree as (
       select id, parent_team_id from teams where tenant_id = $1 and id = any($2::uuid[])
       union
       select t.id, t.parent_team_id from teams t join tree on t.id = tree.parent_team_id where t.tenant_id = $1
     ) select id, parent_team_id from tree`,
    [principal.tenantId, seeds],
  );
  const mine = memberships.filter((m) => m.person_id === principal.subject);
  return {
    actor: {
      ...base,
      memberOf: new Set(mine.map((m) => m.team_id)),
      leads: new Set(mine.filter((m) => m.role === "leader").map((m) => m.team_id)),
    },
    context: {
      parents: new Map(tree.map((t) => [t.id, t.parent_team_id] as const)),
      teamsOfPerson: (personId) => memberships.filter((m) => m.person_id === personId).map((m) => m.team_id),
    },
  };
}
