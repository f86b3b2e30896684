import type { SqlRunner } from "@okr/database";
import { uuidv7 } from "@okr/events";
import { DIGEST_EVENT_TYPE } from "../rules/digest.ts";
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
