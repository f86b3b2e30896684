import { columnsOf, type SqlRunner } from "@okr/database";
import type { EventData, ReminderDue } from "@okr/events";

/** One reminder as the cycle workflows published it, with the envelope's id, tenant and time. */
export interface ReminderRow {
  eventId: string;
  tenant: string;
  sentAt: string;
  data: EventData<typeof ReminderDue>;
}

/**
 * Stores reminders under their event ids in one statement: a redelivered reminder (the relay's resend,
 * the worker's retried publish with the same id) hits the key and changes nothing.
 */
export async function storeReminders(sql: SqlRunner, rows: ReminderRow[]): Promise<void> {
  if (rows.length === 0) return;
  await sql.query(
    `insert into cycle_reminders
       (id, tenant_id, cycle_id, team_id, phase, action, recipient_kind, recipient_id, due_at, escalation, sent_at)
     select * from unnest($1::text[], $2::uuid[], $3::uuid[], $4::uuid[], $5::text[], $6::text[], $7::text[],
                          $8::uuid[], $9::timestamptz[], $10::boolean[], $11::timestamptz[])
     on conflict (id) do nothing`,
    columnsOf(rows, ({ eventId, tenant, sentAt, data }) => [
      eventId,
      tenant,
      data.cycleId,
      data.teamId ?? null,
      data.phase,
      data.action,
      data.recipient.kind,
      data.recipient.id,
      data.dueAt,
      data.escalation,
      sentAt,
    ]),
  );
}
