import type { SqlRunner } from "@okr/database";
import { ReminderDue } from "@okr/events";
import type { DigestSummary } from "../rules/digest.ts";

/**
 * Whose news a digest summary tells: the objectives owned by `ownerPersonIds` or `ownerTeamIds`, the
 * members of `watchedTeamIds` (but `exceptPersonIds`) with no check-in, and the reminders of
 * `recipientIds`. A person's digest and a team's differ only in this scope.
 */
export interface SummaryScope {
  tenantId: string;
  ownerPersonIds: string[];
  ownerTeamIds: string[];
  watchedTeamIds: string[];
  exceptPersonIds: string[];
  recipientIds: string[];
}

/**
 * A person's scope: their own objectives and those of their teams (as member or leader), the members of
 * the teams they lead (leader ids of the team, or a leader's role in it), their own reminders.
 */
export async function personSummaryScope(
  tx: SqlRunner,
  person: { tenantId: string; personId: string },
): Promise<SummaryScope> {
  const { rows } = await tx.query<{ ownerTeamIds: string[]; watchedTeamIds: string[] }>(
    `select array(select team_id from team_members where tenant_id = $1 and person_id = $2
                  union select team_id from teams where tenant_id = $1 and $2 = any(leader_ids)) as "ownerTeamIds",
            array(select t.team_id from teams t
                   where t.tenant_id = $1 and not t.removed
                     and ($2 = any(t.leader_ids) or exists (select 1 from team_members l where l.tenant_id = $1
                           and l.team_id = t.team_id and l.person_id = $2 and l.role = 'leader'))) as "watchedTeamIds"`,
    [person.tenantId, person.personId],
  );
  const teams = rows[0] ?? { ownerTeamIds: [], watchedTeamIds: [] };
  return {
    tenantId: person.tenantId,
    ownerPersonIds: [person.personId],
    ...teams,
    exceptPersonIds: [person.personId],
    recipientIds: [person.personId],
  };
}

/**
 * A team's scope: the objectives it owns, all its members' check-ins, and the reminders addressed to it
 * (its channels' posts) or to any of its members (their inboxes).
 */
export async function teamSummaryScope(
  tx: SqlRunner,
  tenantId: string,
  teamId: string,
): Promise<SummaryScope> {
  const { rows } = await tx.query<{ memberIds: string[] }>(
    `select array(select person_id from team_members where tenant_id = $1 and team_id = $2) as "memberIds"`,
    [tenantId, teamId],
  );
  return {
    tenantId,
    ownerPersonIds: [],
    ownerTeamIds: [teamId],
    watchedTeamIds: [teamId],
    exceptPersonIds: [],
    recipientIds: [teamId, ...(rows[0]?.memberIds ?? [])],
  };
}

/**
 * The summary of a digest period (`since`, `at`] from what the notifier learnt from events: the scores
 * of the scope's objectives that moved, those at risk as of `at`, the watched teams' members with no
 * check-in in the period, and the scope's reminders due in the week after `at` (a reminder to a team
 * reaches each member and each channel: listed once).
 */
export async function digestSummary(
  tx: SqlRunner,
  scope: SummaryScope,
  since: Date,
  at: Date,
): Promise<DigestSummary> {
  const [sinceIso, atIso] = [since.toISOString(), at.toISOString()];
  const objectives = await tx.query<{
    title: string;
    before: number | null;
    latest: number | null;
    at_risk: boolean | null;
    moved: boolean;
  }>(
    `with mine as (
       select o.objective_id, o.title from objective_owners o
        where o.tenant_id = $1 and not o.removed
          and ((o.owner_kind = 'person' and o.owner_id = any($2::uuid[]))
            or (o.owner_kind = 'team' and o.owner_id = any($3::uuid[]))))
     select m.title, b.score as before, l.score as latest, l.at_risk,
            exists (select 1 from objective_scores s where s.tenant_id = $1 and s.objective_id = m.objective_id
                       and s.as_of > $4 and s.as_of <= $5) as moved
       from mine m
       left join lateral (select score from objective_scores s where s.tenant_id = $1
                             and s.objective_id = m.objective_id and s.as_of <= $4
                           order by s.as_of desc limit 1) b on true
       left join lateral (select score, at_risk from objective_scores s where s.tenant_id = $1
                             and s.objective_id = m.objective_id and s.as_of <= $5
                           order by s.as_of desc limit 1) l on true
      order by m.title`,
    [scope.tenantId, scope.ownerPersonIds, scope.ownerTeamIds, sinceIso, atIso],
  );
  const silent = await tx.query<{ team: string; people: string[] }>(
    `select t.name as team, array_agg(pe.name order by pe.name) as people
       from teams t
       join team_members m on m.tenant_id = t.tenant_id and m.team_id = t.team_id
       join people pe on pe.tenant_id = m.tenant_id and pe.person_id = m.person_id and pe.active and not pe.removed
       left join check_ins c on c.tenant_id = m.tenant_id and c.person_id = m.person_id
      where t.tenant_id = $1 and not t.removed and t.team_id = any($2::uuid[])
        and m.person_id <> all($3::uuid[])
        and (c.last_at is null or c.last_at <= $4)
      group by t.team_id, t.name order by t.name`,
    [scope.tenantId, scope.watchedTeamIds, scope.exceptPersonIds, sinceIso],
  );
  const due = await tx.query<{ subject: string; due_at: Date; link: string }>(
    `select distinct on (event_id) subject, due_at, link from deliveries
      where tenant_id = $1 and recipient_id = any($2::uuid[]) and channel in ('in-app', 'slack', 'teams')
        and event_type = $3 and due_at > $4 and due_at <= $4::timestamptz + interval '7 days'
      order by event_id`,
    [scope.tenantId, scope.recipientIds, ReminderDue.type, atIso],
  );
  return {
    scoresMoved: objectives.rows
      .filter((o) => o.moved && o.latest !== null && o.latest !== o.before)
      .map((o) => ({ title: o.title, from: o.before, to: o.latest as number })),
    atRisk: objectives.rows.filter((o) => o.at_risk === true).map((o) => ({ title: o.title })),
    notCheckedIn: silent.rows,
    dueNext: due.rows
      .map((row) => ({ subject: row.subject, dueAt: new Date(row.due_at).toISOString(), link: row.link }))
      .sort((a, b) => a.dueAt.localeCompare(b.dueAt)),
  };
}
