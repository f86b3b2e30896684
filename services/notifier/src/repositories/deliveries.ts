import { columnsOf, type SqlRunner } from "@okr/database";
import { uuidv7 } from "@okr/events";
import type { Channel, DeliveryState, PlannedDelivery } from "../rules/plan.ts";

/** A delivery as the API shows it. */
export interface DeliveryView {
  id: string;
  eventId: string;
  eventType: string;
  recipientId: string;
  channel: Channel;
  state: DeliveryState;
  skipReason: string | null;
  subject: string;
  link: string;
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  createdAt: string;
  sentAt: string | null;
  readAt: string | null;
  deferredReason: string | null;
  digestId: string | null;
}

const VIEW_COLUMNS = `id, event_id as "eventId", event_type as "eventType", recipient_id as "recipientId", channel,
  state, skip_reason as "skipReason", subject, link, attempts, next_attempt_at as "nextAttemptAt",
  last_error as "lastError", created_at as "createdAt", sent_at as "sentAt", read_at as "readAt",
  deferred_reason as "deferredReason", digest_id as "digestId"`;

/** Dates as ISO strings, as the API answers them. */
function toView(row: Record<string, unknown>): DeliveryView {
  const iso = (value: unknown) => (value instanceof Date ? value.toISOString() : (value as string | null));
  return {
    ...(row as unknown as DeliveryView),
    nextAttemptAt: iso(row.nextAttemptAt),
    createdAt: iso(row.createdAt) as string,
    sentAt: iso(row.sentAt),
    readAt: iso(row.readAt),
  };
}

/**
 * "Due now" to the millisecond the column keeps: truncated, because the column would round it, possibly
 * past now(), and the claim in the same transaction (or the next poll's) would then skip it.
 */
const DUE_NOW = "date_trunc('milliseconds', now())";

/**
 * Writes an event's deliveries; one already written for the same (event, recipient, channel) stays as
 * it is, so the same event consumed twice creates nothing twice. Pending ones are due at once.
 */
export function insertDeliveries(
  tx: SqlRunner,
  event: DeliveryEvent,
  planned: PlannedDelivery[],
): Promise<void> {
  return insertEventDeliveries(tx, [{ event, planned }]);
}

/** The event a delivery is for. */
export interface DeliveryEvent {
  id: string;
  type: string;
  tenant: string;
}

/** The deliveries of many events in one statement, as insertDeliveries writes one event's. */
export async function insertEventDeliveries(
  tx: SqlRunner,
  events: { event: DeliveryEvent; planned: PlannedDelivery[] }[],
): Promise<void> {
  const rows = events.flatMap(({ event, planned }) => planned.map((delivery) => ({ event, delivery })));
  if (rows.length === 0) return;
  await tx.query(
    `insert into deliveries (id, tenant_id, event_id, event_type, recipient_id, channel, state, skip_reason,
                             address, subject, body_text, body_html, link, next_attempt_at, sent_at)
     select d.id, d.tenant_id, d.event_id, d.event_type, d.recipient_id, d.channel, d.state, d.skip_reason,
            d.address, d.subject, d.body_text, d.body_html, d.link,
            case when d.state = 'pending' then ${DUE_NOW} end,
            case when d.state = 'sent' then now() end
       from unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::uuid[], $6::text[], $7::text[],
                   $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[])
         as d(id, tenant_id, event_id, event_type, recipient_id, channel, state, skip_reason, address,
              subject, body_text, body_html, link)
     on conflict (event_id, recipient_id, channel) do nothing`,
    columnsOf(rows, ({ event, delivery: d }) => [
      uuidv7(),
      event.tenant,
      event.id,
      event.type,
      d.recipientId,
      d.channel,
      d.state,
      d.skipReason,
      d.address,
      d.message.subject,
      d.message.text,
      d.message.html,
      d.message.link,
    ]),
  );
}

/** An email delivery the sender claimed. */
export interface ClaimedEmail {
  id: string;
  address: string;
  subject: string;
  text: string;
  html: string;
  attempts: number;
}

/**
 * Claims up to `limit` due email deliveries: rows another sender holds are skipped (`skip locked`), and
 * each claimed row is leased (due again only after `leaseMs`) with its attempt counted, so a sender that
 * dies mid-send leaves it to be retried after the lease rather than lost. `now` is the sender's clock
 * (the database's when absent).
 */
export async function claimDueEmails(
  tx: SqlRunner,
  limit: number,
  leaseMs: number,
  now?: Date,
): Promise<ClaimedEmail[]> {
  const { rows } = await tx.query<ClaimedEmail>(
    `update deliveries d set attempts = d.attempts + 1,
            next_attempt_at = coalesce($3::timestamptz, now()) + $2 * interval '1 millisecond'
       from (select id from deliveries
              where state = 'pending' and channel = 'email' and next_attempt_at <= coalesce($3::timestamptz, now())
              order by next_attempt_at limit $1 for update skip locked) due
      where d.id = due.id
      returning d.id, d.address, d.subject, d.body_text as text, d.body_html as html, d.attempts`,
    [limit, leaseMs, now?.toISOString() ?? null],
  );
  return rows;
}

/** Marks deliveries sent, one or many in one statement. */
export async function markSent(tx: SqlRunner, ...ids: string[]): Promise<void> {
  await tx.query(
    `update deliveries set state = 'sent', sent_at = now(), next_attempt_at = null, last_error = null
      where id = any($1::uuid[]) and state = 'pending'`,
    [ids],
  );
}

/** Records a failed send: due again after `delayMs`, or parked (null) until someone retries it. */
export async function markFailed(tx: SqlRunner, id: string, error: string, delayMs: number | null) {
  await tx.query(
    `update deliveries set last_error = $2,
            state = case when $3::int is null then 'parked' else 'pending' end,
            next_attempt_at = case when $3::int is null then null else now() + $3 * interval '1 millisecond' end
      where id = $1 and state = 'pending'`,
    [id, error.slice(0, 2000), delayMs],
  );
}

/** A page of a tenant's deliveries, newest first, optionally of one state and channel. */
export async function listDeliveries(
  tx: SqlRunner,
  tenantId: string,
  filter: {
    state?: string;
    channel?: string;
    recipientId?: string;
    unread?: boolean;
    cursor?: string;
    limit: number;
  },
): Promise<DeliveryView[]> {
  const { rows } = await tx.query(
    `select ${VIEW_COLUMNS} from deliveries
      where tenant_id = $1 and ($2::text is null or state = $2) and ($3::text is null or channel = $3)
        and ($4::uuid is null or recipient_id = $4) and ($5::uuid is null or id < $5)
        and (not $7 or read_at is null)
      order by id desc limit $6`,
    [
      tenantId,
      filter.state ?? null,
      filter.channel ?? null,
      filter.recipientId ?? null,
      filter.cursor ?? null,
      filter.limit + 1,
      filter.unread === true,
    ],
  );
  return rows.map(toView);
}

/** Makes a parked delivery due again with fresh attempts; undefined when it is not parked (or not the tenant's). */
export async function retryParked(
  tx: SqlRunner,
  tenantId: string,
  id: string,
): Promise<DeliveryView | undefined> {
  const { rows } = await tx.query(
    `update deliveries set state = 'pending', attempts = 0, next_attempt_at = ${DUE_NOW}
      where tenant_id = $1 and id = $2 and state = 'parked' returning ${VIEW_COLUMNS}`,
    [tenantId, id],
  );
  return rows[0] ? toView(rows[0]) : undefined;
}

export async function findDelivery(
  tx: SqlRunner,
  tenantId: string,
  id: string,
): Promise<DeliveryView | undefined> {
  const { rows } = await tx.query(`select ${VIEW_COLUMNS} from deliveries where tenant_id = $1 and id = $2`, [
    tenantId,
    id,
  ]);
  return rows[0] ? toView(rows[0]) : undefined;
}

/** Marks a person's in-app notifications read (`ids`, or all when null); returns how many changed. */
export async function markRead(
  tx: SqlRunner,
  tenantId: string,
  personId: string,
  ids: string[] | null,
): Promise<number> {
  const { rowCount } = await tx.query(
    `update deliveries set read_at = now()
      where tenant_id = $1 and recipient_id = $2 and channel = 'in-app' and state = 'sent' and read_at is null
        and ($3::uuid[] is null or id = any($3::uuid[]))
      returning 1`,
    [tenantId, personId, ids],
  );
  return rowCount ?? 0;
}
