import type { SqlRunner } from "@okr/database";
import type { ChatKind } from "../rules/outbound-urls.ts";
import type { TenantSettings } from "../rules/preferences.ts";

/** The event id a team's digest of a week is posted under: one per team, channel kind and week. */
export const teamDigestEventId = (periodKey: string) => `team-digest:${periodKey}`;

/** The tenants with a known team that has a chat channel, with their defaults (which say when digests are built). */
export async function teamDigestTenants(
  tx: SqlRunner,
): Promise<{ tenantId: string; settings: TenantSettings }[]> {
  const { rows } = await tx.query<{ tenantId: string; settings: TenantSettings }>(
    `select c.tenant_id as "tenantId", coalesce(tp.settings, '{}') as settings
       from team_channels c
       join teams t on t.tenant_id = c.tenant_id and t.team_id = c.team_id and not t.removed
       left join tenant_preferences tp on tp.tenant_id = c.tenant_id
      group by c.tenant_id, tp.settings`,
  );
  return rows;
}

/**
 * The known teams of a tenant with the kinds of chat channel that have no delivery of `eventId` yet (a
 * channel set mid-week still gets the week's digest); teams whose every channel has it are left out.
 */
export async function teamDigestsDue(
  tx: SqlRunner,
  tenantId: string,
  eventId: string,
): Promise<{ teamId: string; name: string; kinds: ChatKind[] }[]> {
  const { rows } = await tx.query<{ teamId: string; name: string; kinds: ChatKind[] }>(
    `select c.team_id as "teamId", t.name, array_agg(c.kind order by c.kind) as kinds
       from team_channels c
       join teams t on t.tenant_id = c.tenant_id and t.team_id = c.team_id and not t.removed
      where c.tenant_id = $1
        and not exists (select 1 from deliveries d
                         where d.event_id = $2 and d.recipient_id = c.team_id and d.channel = c.kind)
      group by c.team_id, t.name order by t.name`,
    [tenantId, eventId],
  );
  return rows;
}
