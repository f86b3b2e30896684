import { columnsOf, type SqlRunner } from "@okr/database";
import type { DeferReason, GateDecision } from "../rules/gate.ts";
import type { PersonSettings, TenantSettings } from "../rules/preferences.ts";

/** What deciding whether a claimed email goes out now needs: the email and its recipient's preferences. */
export interface GateInput {
  id: string;
  eventType: string;
  dueAt: Date | null;
  deferredReason: DeferReason | null;
  own: PersonSettings;
  tenant: TenantSettings;
  replicaZone: string | null;
}

export async function gateInputs(tx: SqlRunner, ids: string[]): Promise<GateInput[]> {
  if (ids.length === 0) return [];
  const { rows } = await tx.query<GateInput>(
    `select d.id, d.event_type as "eventType", d.due_at as "dueAt", d.deferred_reason as "deferredReason",
            coalesce(pr.settings, '{}') as own, coalesce(tp.settings, '{}') as tenant, p.time_zone as "replicaZone"
       from deliveries d
       left join preferences pr on pr.tenant_id = d.tenant_id and pr.person_id = d.recipient_id
       left join tenant_preferences tp on tp.tenant_id = d.tenant_id
       left join people p on p.tenant_id = d.tenant_id and p.person_id = d.recipient_id
      where d.id = any($1::uuid[])`,
    [ids],
  );
  return rows;
}

/**
 * Records what the gate decided for claimed emails it does not send now. The claim counted an attempt;
 * waiting is no failed attempt, so it is given back.
 */
export async function applyGateDecisions(
  tx: SqlRunner,
  decisions: { id: string; decision: Exclude<GateDecision, { action: "send" }> }[],
): Promise<void> {
  if (decisions.length === 0) return;
  await tx.query(
    `update deliveries d set attempts = greatest(d.attempts - 1, 0),
            state = case g.action when 'hold' then 'held' when 'skip' then 'skipped' else 'pending' end,
            next_attempt_at = case g.action when 'defer' then g.until end,
            deferred_reason = case g.action when 'defer' then g.reason else d.deferred_reason end,
            skip_reason = case g.action when 'skip' then g.reason else d.skip_reason end,
            address = case g.action when 'skip' then null else d.address end
       from unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::text[]) as g(id, action, until, reason)
      where d.id = g.id and d.state = 'pending'`,
    columnsOf(decisions, ({ id, decision }) => [
      id,
      decision.action,
      decision.action === "defer" ? decision.until.toISOString() : null,
      decision.action === "hold" ? null : decision.reason,
    ]),
  );
}

/** Notes reminders' deadlines on their deliveries: a reminder that waited past it is not mailed. */
export async function noteDueAt(
  tx: SqlRunner,
  reminders: { eventId: string; dueAt: string }[],
): Promise<void> {
  if (reminders.length === 0) return;
  await tx.query(
    `update deliveries d set due_at = r.due_at
       from unnest($1::text[], $2::timestamptz[]) as r(event_id, due_at)
      where d.event_id = r.event_id and d.due_at is null`,
    columnsOf(reminders, (r) => [r.eventId, r.dueAt]),
  );
}
