import { type EventEnvelope, isUuid } from "@okr/events";
import { PoisonEventError } from "@okr/messaging";

/** Every notifier table keys tenants by uuid: an event of another kind of tenant can never apply. */
export function requireUuidTenant(event: EventEnvelope, what: string): void {
  if (!isUuid(event.tenant)) throw new PoisonEventError(`${what}: tenant ${event.tenant} is not a uuid`);
}

/** A replica's fact about one entity of the event's tenant, keyed by the tenant and the entity's id. */
export function tenantFact<F extends object>(
  event: EventEnvelope,
  entity: string,
  id: string,
  fields: F,
): { key: string; fact: F & { tenantId: string } } {
  requireUuidTenant(event, `${entity} ${id}`);
  return { key: `${event.tenant}/${id}`, fact: { tenantId: event.tenant, ...fields } };
}

/**
 * A batch of replica events folded to the newest fact per key (one statement may change each row only
 * once); `isNewer(a, b)` says whether `a` replaces `b`.
 */
export function latestPerKey<F>(
  events: EventEnvelope[],
  toFact: (event: EventEnvelope) => { key: string; fact: F },
  isNewer: (candidate: F, seen: F) => boolean,
): F[] {
  const latest = new Map<string, F>();
  for (const event of events) {
    const { key, fact } = toFact(event);
    const seen = latest.get(key);
    if (!seen || isNewer(fact, seen)) latest.set(key, fact);
  }
  return [...latest.values()];
}
