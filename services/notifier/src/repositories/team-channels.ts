import type { SqlRunner } from "@okr/database";
import { uuidv7 } from "@okr/events";
import type { ChatKind } from "../rules/outbound-urls.ts";
import type { RenderedMessage } from "../rules/template.ts";

/** A team's chat channel as stored; routes mask `url` before it leaves the service. */
export interface TeamChannel {
  kind: ChatKind;
  url: string;
  updatedBy: string;
  updatedAt: Date;
}

const COLUMNS = `kind, url, updated_by as "updatedBy", updated_at as "updatedAt"`;

export async function listTeamChannels(
  tx: SqlRunner,
  tenantId: string,
  teamId: string,
): Promise<TeamChannel[]> {
  const { rows } = await tx.query<TeamChannel>(
    `select ${COLUMNS} from team_channels where tenant_id = $1 and team_id = $2 order by kind`,
    [tenantId, teamId],
  );
  return rows;
}

/** Sets (or replaces) a team's channel of one kind. */
export async function setTeamChannel(
  tx: SqlRunner,
  channel: { tenantId: string; teamId: string; kind: ChatKind; url: string; updatedBy: string },
): Promise<TeamChannel> {
  const { rows } = await tx.query<TeamChannel>(
    `insert into team_channels (tenant_id, team_id, kind, url, updated_by) values ($1, $2, $3, $4, $5)
     on conflict (tenant_id, team_id, kind)
       do update set url = excluded.url, updated_by = excluded.updated_by, updated_at = now()
     returning ${COLUMNS}`,
    [channel.tenantId, channel.teamId, channel.kind, channel.url, channel.updatedBy],
  );
  return rows[0] as TeamChannel;
}

/**
 * Clears a team's channel of one kind; what was still pending or parked for it is skipped
 * (`channel-removed`): there is nowhere to post it. False when the team had no such channel.
 */
export async function clearTeamChannel(
  tx: SqlRunner,
  tenantId: string,
  teamId: string,
  kind: ChatKind,
): Promise<boolean> {
  const { rows } = await tx.query<{ cleared: boolean }>(
    `with cleared as (
       delete from team_channels where tenant_id = $1 and team_id = $2 and kind = $3 returning 1
     ), skipped as (
       update deliveries set state = 'skipped', skip_reason = 'channel-removed', next_attempt_at = null
        where tenant_id = $1 and recipient_id = $2 and channel = $3 and state in ('pending', 'parked')
          and exists (select 1 from cleared)
     )
     select exists (select 1 from cleared) as cleared`,
    [tenantId, teamId, kind],
  );
  return rows[0]?.cleared === true;
}

/** A known team's name and the kinds of chat channel it has (none: undefined). */
export async function teamChannelsOf(
  tx: SqlRunner,
  tenantId: string,
  teamId: string,
): Promise<{ name: string; kinds: ChatKind[] } | undefined> {
  const { rows } = await tx.query<{ name: string | null; kinds: ChatKind[] }>(
    `select t.name, array_agg(c.kind order by c.kind) as kinds
       from team_channels c left join teams t on t.tenant_id = c.tenant_id and t.team_id = c.team_id
      where c.tenant_id = $1 and c.team_id = $2 and t.removed is not true
      group by t.name`,
    [tenantId, teamId],
  );
  const row = rows[0];
  return row ? { name: row.name ?? "", kinds: row.kinds } : undefined;
}

/**
 * Writes one delivery per chat channel of a team for an event (recipient: the team), pending, or
 * skipped with `skipReason` (`stale`: an event too old to post; `empty`: a digest with nothing to say).
 * Written again for the same event, nothing changes.
 */
export async function insertTeamChannelDeliveries(
  tx: SqlRunner,
  event: { id: string; type: string; tenant: string },
  teamId: string,
  kinds: ChatKind[],
  message: RenderedMessage,
  skipReason: "stale" | "empty" | null,
): Promise<void> {
  await tx.query(
    `insert into deliveries (id, tenant_id, event_id, event_type, recipient_id, channel, state, skip_reason,
                             subject, body_text, body_html, link, next_attempt_at)
     select id, $1, $2, $3, $4, kind, case when $5::text is null then 'pending' else 'skipped' end,
            $5, $8, $9, $10, $11,
            case when $5::text is null then date_trunc('milliseconds', now()) end
       from unnest($6::text[], $7::uuid[]) as c(kind, id)
     on conflict (event_id, recipient_id, channel) do nothing`,
    [
      event.tenant,
      event.id,
      event.type,
      teamId,
      skipReason,
      kinds,
      kinds.map(() => uuidv7()),
      message.subject,
      message.text,
      message.html,
      message.link,
    ],
  );
}
