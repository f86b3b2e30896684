import type { SqlRunner } from "@okr/database";
import type { OutboundKind } from "../rules/outbound-urls.ts";

/** A chat or webhook delivery the outbound sender claimed, with where it goes (none: target removed). */
export interface ClaimedPost {
  id: string;
  eventId: string;
  channel: OutboundKind;
  subject: string;
  text: string;
  link: string;
  attempts: number;
  url: string | null;
  /** Webhooks: the secrets that sign now, newest first. */
  secrets: string[];
}

/**
 * Claims up to `limit` due chat and webhook deliveries as claimDueEmails does (skip locked, leased,
 * attempt counted), except that a webhook delivery waits while an earlier one of its endpoint and
 * ordering key is pending (due later, or leased to a sender right now) or parked: a receiver gets
 * each key's events in order, however long it was down. Answers them with their targets.
 */
export async function claimDuePosts(tx: SqlRunner, limit: number, leaseMs: number): Promise<ClaimedPost[]> {
  const { rows } = await tx.query<ClaimedPost>(
    `with claimed as (
       update deliveries d set attempts = d.attempts + 1,
              next_attempt_at = now() + $2 * interval '1 millisecond'
         from (select c.id from deliveries c
                where c.state = 'pending' and c.channel in ('slack', 'teams', 'webhook')
                  and c.next_attempt_at <= now()
                  and not exists (
                    select 1 from deliveries e
                     where e.recipient_id = c.recipient_id and e.ordering_key = c.ordering_key
                       and e.ordering_seq < c.ordering_seq and e.state in ('pending', 'parked'))
                order by c.next_attempt_at limit $1 for update of c skip locked) due
        where d.id = due.id
        returning d.id, d.tenant_id, d.event_id, d.channel, d.recipient_id, d.subject, d.body_text, d.link,
                  d.attempts
     )
     select c.id, c.event_id as "eventId", c.channel, c.subject, c.body_text as text, c.link, c.attempts,
            coalesce(w.url, t.url) as url,
            coalesce(array(select s.secret from webhook_secrets s
                            where s.endpoint_id = w.id and (s.expires_at is null or s.expires_at > now())
                            order by s.created_at desc), '{}') as secrets
       from claimed c
       left join webhook_endpoints w on c.channel = 'webhook' and w.id = c.recipient_id
       left join team_channels t on t.tenant_id = c.tenant_id and t.team_id = c.recipient_id and t.kind = c.channel`,
    [limit, leaseMs],
  );
  return rows;
}

/** A claimed delivery whose target is gone (removed since it was written) is never to be sent. */
export async function markSkipped(tx: SqlRunner, id: string, reason: string): Promise<void> {
  await tx.query(
    `update deliveries set state = 'skipped', skip_reason = $2, next_attempt_at = null
      where id = $1 and state = 'pending'`,
    [id, reason],
  );
}
