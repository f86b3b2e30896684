import { columnsOf, type SqlRunner } from "@okr/database";
import { type EventEnvelope, isUuid, uuidv7 } from "@okr/events";

/** An endpoint as the API shows it: never a secret's value. */
export interface WebhookEndpointView {
  id: string;
  url: string;
  description: string;
  eventTypes: string[];
  createdAt: string;
  updatedAt: string;
  /** The secrets that sign now: the current one (no expiry) and any rotated out but in grace. */
  secrets: { createdAt: string; expiresAt: string | null }[];
}

const VIEW = `select w.id, w.url, w.description, w.event_types as "eventTypes",
       to_json(w.created_at) #>> '{}' as "createdAt", to_json(w.updated_at) #>> '{}' as "updatedAt",
       coalesce((select json_agg(json_build_object('createdAt', s.created_at, 'expiresAt', s.expires_at)
                                 order by s.created_at desc)
                   from webhook_secrets s
                  where s.endpoint_id = w.id and (s.expires_at is null or s.expires_at > now())), '[]') as secrets
  from webhook_endpoints w`;

/** Postgres writes timestamps in JSON without the UTC `Z` form the API uses; this makes them ISO. */
function toView(row: WebhookEndpointView): WebhookEndpointView {
  const iso = (value: string) => new Date(value).toISOString();
  return {
    ...row,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
    secrets: row.secrets.map((s) => ({
      createdAt: iso(s.createdAt),
      expiresAt: s.expiresAt && iso(s.expiresAt),
    })),
  };
}

export async function listWebhookEndpoints(tx: SqlRunner, tenantId: string): Promise<WebhookEndpointView[]> {
  const { rows } = await tx.query<WebhookEndpointView>(`${VIEW} where w.tenant_id = $1 order by w.id`, [
    tenantId,
  ]);
  return rows.map(toView);
}

export async function findWebhookEndpoint(
  tx: SqlRunner,
  tenantId: string,
  id: string,
): Promise<WebhookEndpointView | undefined> {
  const { rows } = await tx.query<WebhookEndpointView>(`${VIEW} where w.tenant_id = $1 and w.id = $2`, [
    tenantId,
    id,
  ]);
  return rows[0] ? toView(rows[0]) : undefined;
}

/** Creates an endpoint with its first signing secret; answers its id. */
export async function createWebhookEndpoint(
  tx: SqlRunner,
  endpoint: { tenantId: string; url: string; description: string; eventTypes: string[]; secret: string },
): Promise<string> {
  const id = uuidv7();
  await tx.query(
    `with endpoint as (
       insert into webhook_endpoints (id, tenant_id, url, description, event_types) values ($1, $2, $3, $4, $5)
     )
     insert into webhook_secrets (id, endpoint_id, secret) values ($6, $1, $7)`,
    [
      id,
      endpoint.tenantId,
      endpoint.url,
      endpoint.description,
      endpoint.eventTypes,
      uuidv7(),
      endpoint.secret,
    ],
  );
  return id;
}

/** Changes what is given of an endpoint; false when the tenant has no such endpoint. */
export async function updateWebhookEndpoint(
  tx: SqlRunner,
  tenantId: string,
  id: string,
  change: { url?: string; description?: string; eventTypes?: string[] },
): Promise<boolean> {
  const { rowCount } = await tx.query(
    `update webhook_endpoints set url = coalesce($3, url), description = coalesce($4, description),
            event_types = coalesce($5, event_types), updated_at = now()
      where tenant_id = $1 and id = $2 returning 1`,
    [tenantId, id, change.url ?? null, change.description ?? null, change.eventTypes ?? null],
  );
  return (rowCount ?? 0) > 0;
}

/**
 * Deletes an endpoint and its secrets; what was still pending or parked for it is skipped
 * (`endpoint-removed`). False when the tenant has no such endpoint.
 */
export async function deleteWebhookEndpoint(tx: SqlRunner, tenantId: string, id: string): Promise<boolean> {
  const { rows } = await tx.query<{ deleted: boolean }>(
    `with deleted as (
       delete from webhook_endpoints where tenant_id = $1 and id = $2 returning id
     ), secrets as (
       delete from webhook_secrets where endpoint_id in (select id from deleted)
     ), skipped as (
       update deliveries set state = 'skipped', skip_reason = 'endpoint-removed', next_attempt_at = null
        where tenant_id = $1 and recipient_id in (select id from deleted) and channel = 'webhook'
          and state in ('pending', 'parked')
     )
     select exists (select 1 from deleted) as deleted`,
    [tenantId, id],
  );
  return rows[0]?.deleted === true;
}

/**
 * Adds `secret` as the endpoint's signing secret; the ones signing until now keep signing for
 * `graceSeconds` more (0: they stop at once), and secrets already expired are deleted. False when the
 * tenant has no such endpoint.
 */
export async function rotateWebhookSecret(
  tx: SqlRunner,
  tenantId: string,
  id: string,
  secret: string,
  graceSeconds: number,
): Promise<boolean> {
  const { rows } = await tx.query<{ rotated: boolean }>(
    `with endpoint as (
       select id from webhook_endpoints where tenant_id = $1 and id = $2
     ), expired as (
       delete from webhook_secrets where endpoint_id in (select id from endpoint) and expires_at <= now()
     ), graced as (
       update webhook_secrets set expires_at = least(coalesce(expires_at, 'infinity'), now() + $5 * interval '1 second')
        where endpoint_id in (select id from endpoint) and (expires_at is null or expires_at > now())
     ), added as (
       insert into webhook_secrets (id, endpoint_id, secret) select $3, id, $4 from endpoint returning 1
     )
     select exists (select 1 from added) as rotated`,
    [tenantId, id, uuidv7(), secret, graceSeconds],
  );
  return rows[0]?.rotated === true;
}

/**
 * Writes a webhook delivery per (event, endpoint) for the events of a consumed batch that some endpoint
 * of their tenant subscribes to (its types or '*') and that were published after the endpoint was
 * created. One indexed lookup per batch decides; most batches match nothing and write nothing. The
 * body is the CloudEvent as consumed; `ordering_seq` follows the batch's (partition) order, so the
 * sender keeps each key's order. Written twice, nothing changes (unique event, recipient, channel).
 */
export async function recordWebhookDeliveries(
  tx: SqlRunner,
  events: EventEnvelope[],
  orderingKey: (event: EventEnvelope) => string,
): Promise<void> {
  const candidates = events.filter((event) => isUuid(event.tenant));
  if (candidates.length === 0) return;
  const { rows } = await tx.query<{ ord: string; endpoint_id: string }>(
    `select e.ord, w.id as endpoint_id
       from unnest($1::uuid[], $2::text[], $3::timestamptz[]) with ordinality as e(tenant, type, time, ord)
       join webhook_endpoints w on w.tenant_id = e.tenant and w.created_at <= e.time
        and (e.type = any(w.event_types) or '*' = any(w.event_types))
      order by e.ord, w.id`,
    columnsOf(candidates, (event) => [event.tenant, event.type, event.time]),
  );
  if (rows.length === 0) return;
  const planned = rows.map((row) => ({
    event: candidates[Number(row.ord) - 1]!,
    endpointId: row.endpoint_id,
  }));
  await tx.query(
    `insert into deliveries (id, tenant_id, event_id, event_type, recipient_id, channel, state, subject,
                             body_text, body_html, link, ordering_key, ordering_seq, next_attempt_at)
     select d.id, d.tenant_id, d.event_id, d.event_type, d.endpoint_id, 'webhook', 'pending', d.event_type,
            d.body, '', '', d.ordering_key, nextval('deliveries_ordering_seq'), date_trunc('milliseconds', now())
       from unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::uuid[], $6::text[], $7::text[])
              with ordinality as d(id, tenant_id, event_id, event_type, endpoint_id, body, ordering_key, ord)
      order by d.ord
     on conflict (event_id, recipient_id, channel) do nothing`,
    columnsOf(planned, ({ event, endpointId }) => [
      uuidv7(),
      event.tenant,
      event.id,
      event.type,
      endpointId,
      JSON.stringify(event),
      orderingKey(event),
    ]),
  );
}
