import { columnsOf, type SqlRunner } from "@okr/database";
import type { KnownPerson, KnownTeam } from "../rules/recipients.ts";

/** One person as the goals service last announced them (okr.person.changed.v1). */
export interface PersonFact {
  tenantId: string;
  personId: string;
  name: string;
  email: string | null;
  active: boolean;
  timeZone: string | null;
  managerId: string | null;
  teams: { teamId: string; role: "leader" | "member" }[];
  removed: boolean;
  changedAt: string;
}

/** One team as last announced (okr.team.changed.v1); `changedAt` is the event's time. */
export interface TeamFact {
  tenantId: string;
  teamId: string;
  name: string;
  parentTeamId: string | null;
  leaderIds: string[];
  removed: boolean;
  changedAt: string;
}

/**
 * Applies person announcements: a newer state (by `changedAt`) replaces the row and the person's team
 * memberships whole; an older or repeated one changes nothing. A removed person stays removed, keeps no
 * name, email or teams, and their deliveries forget the address. Each person appears once in `facts`.
 */
export async function recordPeople(tx: SqlRunner, facts: PersonFact[]): Promise<void> {
  if (facts.length === 0) return;
  const { rows } = await tx.query<{ tenant_id: string; person_id: string }>(
    `insert into people (tenant_id, person_id, name, email, active, time_zone, manager_id, removed, changed_at)
     select * from unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::boolean[], $6::text[],
                          $7::uuid[], $8::boolean[], $9::timestamptz[])
     on conflict (tenant_id, person_id) do update set
       name = excluded.name, email = excluded.email, active = excluded.active,
       time_zone = excluded.time_zone, manager_id = excluded.manager_id,
       removed = excluded.removed, changed_at = excluded.changed_at
     where excluded.changed_at > people.changed_at and not people.removed
     returning tenant_id, person_id`,
    columnsOf(facts, (f) => [
      f.tenantId,
      f.personId,
      f.removed ? "" : f.name,
      f.removed ? null : f.email,
      f.active && !f.removed,
      f.timeZone,
      f.managerId,
      f.removed,
      f.changedAt,
    ]),
  );
  const applied = new Set(rows.map((row) => `${row.tenant_id}/${row.person_id}`));
  const changed = facts.filter((f) => applied.has(`${f.tenantId}/${f.personId}`));
  if (changed.length === 0) return;
  await tx.query(
    `delete from team_members m using unnest($1::uuid[], $2::uuid[]) as p(tenant_id, person_id)
      where m.tenant_id = p.tenant_id and m.person_id = p.person_id`,
    columnsOf(changed, (f) => [f.tenantId, f.personId]),
  );
  const memberships = changed.flatMap((f) =>
    f.removed ? [] : f.teams.map((team) => ({ ...team, tenantId: f.tenantId, personId: f.personId })),
  );
  if (memberships.length > 0) {
    await tx.query(
      `insert into team_members (tenant_id, team_id, person_id, role)
       select * from unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[]) on conflict do nothing`,
      columnsOf(memberships, (m) => [m.tenantId, m.teamId, m.personId, m.role]),
    );
  }
  const removed = changed.filter((f) => f.removed);
  if (removed.length > 0) {
    // Forgetting the email includes the copies on deliveries; what was still to send is skipped.
    await tx.query(
      `update deliveries d set address = null,
              state = case when d.state in ('pending', 'parked', 'held') then 'skipped' else d.state end,
              skip_reason = case when d.state in ('pending', 'parked', 'held') then 'removed' else d.skip_reason end
         from unnest($1::uuid[], $2::uuid[]) as p(tenant_id, person_id)
        where d.tenant_id = p.tenant_id and d.recipient_id = p.person_id`,
      columnsOf(removed, (f) => [f.tenantId, f.personId]),
    );
  }
}

/** Applies team announcements: a newer one (by the event's time) wins; each team once in `facts`. */
export async function recordTeams(tx: SqlRunner, facts: TeamFact[]): Promise<void> {
  if (facts.length === 0) return;
  await tx.query(
    `insert into teams (tenant_id, team_id, name, parent_team_id, leader_ids, removed, changed_at)
     select t.tenant_id, t.team_id, t.name, t.parent_team_id,
            coalesce((select array_agg(l) from jsonb_array_elements_text(t.leaders) l), '{}')::uuid[],
            t.removed, t.changed_at
       from unnest($1::uuid[], $2::uuid[], $3::text[], $4::uuid[], $5::jsonb[], $6::boolean[], $7::timestamptz[])
         as t(tenant_id, team_id, name, parent_team_id, leaders, removed, changed_at)
     on conflict (tenant_id, team_id) do update set
       name = excluded.name, parent_team_id = excluded.parent_team_id, leader_ids = excluded.leader_ids,
       removed = excluded.removed, changed_at = excluded.changed_at
     where excluded.changed_at > teams.changed_at`,
    columnsOf(facts, (f) => [
      f.tenantId,
      f.teamId,
      f.name,
      f.parentTeamId,
      JSON.stringify(f.leaderIds),
      f.removed,
      f.changedAt,
    ]),
  );
}

/**
 * A team's members and leaders: the people whose announced teams include it (leaders by their role
 * there or by the team's own leader list). Undefined for a removed team, or one nobody announced.
 */
export async function knownTeam(
  tx: SqlRunner,
  tenantId: string,
  teamId: string,
): Promise<KnownTeam | undefined> {
  const { rows } = await tx.query<{ removed: boolean | null; members: string[]; leaders: string[] }>(
    `select t.removed,
            coalesce(array(select person_id::text from team_members
                            where tenant_id = $1 and team_id = $2), '{}') as members,
            coalesce(array(select person_id::text from team_members
                            where tenant_id = $1 and team_id = $2 and role = 'leader'
                           union select unnest(t.leader_ids)::text), '{}') as leaders
       from (select 1) one left join teams t on t.tenant_id = $1 and t.team_id = $2`,
    [tenantId, teamId],
  );
  const row = rows[0];
  if (!row || row.removed) return undefined;
  if (row.removed === null && row.members.length === 0) return undefined;
  return { members: row.members, leaders: row.leaders };
}

/** The people of a tenant the replica knows among `ids`, by id. */
export async function knownPeople(
  tx: SqlRunner,
  tenantId: string,
  ids: string[],
): Promise<Map<string, KnownPerson>> {
  const { rows } = await tx.query<{
    person_id: string;
    name: string;
    email: string | null;
    active: boolean;
    removed: boolean;
  }>(
    `select person_id, name, email, active, removed from people
      where tenant_id = $1 and person_id = any($2::uuid[])`,
    [tenantId, ids],
  );
  return new Map(
    rows.map((row) => [
      row.person_id,
      { personId: row.person_id, name: row.name, email: row.email, active: row.active, removed: row.removed },
    ]),
  );
}
