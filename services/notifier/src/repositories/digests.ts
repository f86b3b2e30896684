import type { SqlRunner } from "@okr/database";
import { ReminderDue, uuidv7 } from "@okr/events";
import { DIGEST_EVENT_TYPE, type DigestContent } from "../rules/digest.ts";
import type { PersonSettings, TenantSettings } from "../rules/preferences.ts";
import type { RenderedMessage } from "../rules/template.ts";

/** A person who gets digests (their own choice or their tenant's default), with what decides when. */
export interface DigestReader {
  tenantId: string;
  personId: string;
  name: string;
  email: string;
  replicaZone: string | null;
  own: PersonSettings;
  tenant: TenantSettings;
}

/** Every active person with an email whose digest mode (own, else the tenant's) is daily or weekly. */
export async function digestReaders(tx: SqlRunner): Promise<DigestReader[]> {
  const { rows } = await tx.query<DigestReader>(
    `select p.tenant_id as "tenantId", p.person_id as "personId", p.name, p.email, p.time_zone as "replicaZone",
            coalesce(pr.settings, '{}') as own, coalesce(tp.settings, '{}') as tenant
       from people p
       left join preferences pr on pr.tenant_id = p.tenant_id and pr.person_id = p.person_id
       left join tenant_preferences tp on tp.tenant_id = p.tenant_id
      where p.active and not p.removed and p.email is not null
        and coalesce(pr.settings->>'digest', tp.settings->>'digest', 'immediate') <> 'immediate'`,
  );
  return rows;
}

/** The event id a person's digest of a period is recorded under: one digest per person and period. */
export const digestEventId = (periodKey: string) => `digest:${periodKey}`;

export async function digestExists(tx: SqlRunner, reader: DigestReader, periodKey: string): Promise<boolean> {
  const { rowCount } = await tx.query(
    `select 1 from deliveries where event_id = $1 and recipient_id = $2 and channel = 'email'`,
    [digestEventId(periodKey), reader.personId],
  );
  return (rowCount ?? 0) > 0;
}

/** The emails held for a person's digest, oldest first, locked until the digest that carries them commits. */
export async function heldEmails(tx: SqlRunner, reader: DigestReader) {
  const { rows } = await tx.query<{ id: string; subject: string; link: string }>(
    `select id, subject, link from deliveries
      where tenant_id = $1 and recipient_id = $2 and channel = 'email' and state = 'held'
      order by id for update`,
    [reader.tenantId, reader.personId],
  );
  return rows;
}

/**
 * The summary of a digest period (`since`, `at`] from what the notifier learnt from events: scores of
 * the person's objectives (their own and their teams') that moved, those at risk, members of the teams
 * they lead with no check-in in the period, and reminders for them due in the week after `at`.
 */
export async function digestSummary(
  tx: SqlRunner,
  reader: DigestReader,
  since: Date,
  at: Date,
): Promise<Omit<DigestContent, "mode" | "held">> {
  const params = [reader.tenantId, reader.personId, since.toISOString(), at.toISOString()];
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
          and ((o.owner_kind = 'person' and o.owner_id = $2)
            or (o.owner_kind = 'team' and o.owner_id in
                  (select team_id from team_members where tenant_id = $1 and person_id = $2
                   union select team_id from teams where tenant_id = $1 and $2 = any(leader_ids)))))
     select m.title, b.score as before, l.score as latest, l.at_risk,
            exists (select 1 from objective_scores s where s.tenant_id = $1 and s.objective_id = m.objective_id
                       and s.as_of > $3 and s.as_of <= $4) as moved
       from mine m
       left join lateral (select score from objective_scores s where s.tenant_id = $1
                             and s.objective_id = m.objective_id and s.as_of <= $3
                           order by s.as_of desc limit 1) b on true
       left join lateral (select score, at_risk from objective_scores s where s.tenant_id = $1
                             and s.objective_id = m.objective_id and s.as_of <= $4
                           order by s.as_of desc limit 1) l on true
      order by m.title`,
    params,
  );
  const silent = await tx.query<{ team: string; people: string[] }>(
    `select t.name as team, array_agg(pe.name order by pe.name) as people
       from teams t
       join team_members m on m.tenant_id = t.tenant_id and m.team_id = t.team_id
       join people pe on pe.tenant_id = m.tenant_id and pe.person_id = m.person_id and pe.active and not pe.removed
       left join check_ins c on c.tenant_id = m.tenant_id and c.person_id = m.person_id
      where t.tenant_id = $1 and not t.removed and m.person_id <> $2
        and ($2 = any(t.leader_ids) or exists (select 1 from team_members l where l.tenant_id = $1
              and l.team_id = t.team_id and l.person_id = $2 and l.role = 'leader'))
        and (c.last_at is null or c.last_at <= $3)
      group by t.team_id, t.name order by t.name`,
    params.slice(0, 3),
  );
  const due = await tx.query<{ subject: string; due_at: Date; link: string }>(
    `select distinct on (event_id) subject, due_at, link from deliveries
      where tenant_id = $1 and recipient_id = $2 and channel = 'in-app' and event_type = $3
        and due_at > $4 and due_at <= $4::timestamptz + interval '7 days'
      order by event_id`,
    [reader.tenantId, reader.personId, ReminderDue.type, at.toISOString()],
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

/**
 * Records a person's digest of a period as one email delivery carrying the held emails (which become
 * `digested`, pointing at it); an empty digest is recorded as skipped (`empty`), so it is not built
 * again. Answers false when the period's digest exists already (another scheduler wrote it).
 */
export async function recordDigest(
  tx: SqlRunner,
  reader: DigestReader,
  periodKey: string,
  message: RenderedMessage,
  heldIds: string[],
  empty: boolean,
): Promise<boolean> {
  const id = uuidv7();
  const { rowCount } = await tx.query(
    `insert into deliveries (id, tenant_id, event_id, event_type, recipient_id, channel, state, skip_reason,
                             address, subject, body_text, body_html, link, next_attempt_at)
     values ($1, $2, $3, $4, $5, 'email', case when $6 then 'skipped' else 'pending' end,
             case when $6 then 'empty' end, case when $6 then null else $7 end, $8, $9, $10, $11,
             case when $6 then null else date_trunc('milliseconds', now()) end)
     on conflict (event_id, recipient_id, channel) do nothing`,
    [
      id,
      reader.tenantId,
      digestEventId(periodKey),
      DIGEST_EVENT_TYPE,
      reader.personId,
      empty,
      reader.email,
      message.subject,
      message.text,
      message.html,
      message.link,
    ],
  );
  if ((rowCount ?? 0) === 0) return false;
  if (heldIds.length > 0)
    await tx.query(
      `update deliveries set state = 'digested', digest_id = $1, next_attempt_at = null
        where id = any($2::uuid[]) and state = 'held'`,
      [id, heldIds],
    );
  return true;
}
