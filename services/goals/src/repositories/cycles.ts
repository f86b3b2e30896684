import type { SqlRunner } from "@okr/database";
import type { CycleCalendar } from "@okr/goals-domain";
import { conflict, notFound } from "@okr/service-kit";
import type { GoalsDb, GoalsTx } from "../database.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import { cycleLocked } from "../rules.ts";

type Db = GoalsDb | GoalsTx;
type CycleRow = Prisma.CycleGetPayload<object>;

/** The caller's tenant's cycle; another tenant's is as unknown as a made-up one. */
export async function findCycle(db: Db, tenantId: string, id: string): Promise<CycleRow> {
  const row = await db.cycle.findFirst({ where: { id, tenantId } });
  if (!row) throw notFound(`cycle ${id}`);
  return row;
}

/** A cycle whose objectives and key results may still change: a locked one is a 409. */
export async function findUnlockedCycle(db: Db, tenantId: string, id: string): Promise<CycleRow> {
  const row = await findCycle(db, tenantId, id);
  if (row.locked) throw cycleLocked(row.phase);
  return row;
}

/** Cycle names are unique within an organization. */
export async function assertCycleNameFree(db: Db, tenantId: string, name: string): Promise<void> {
  if (await db.cycle.findFirst({ where: { tenantId, name }, select: { id: true } }))
    throw conflict("cycle-name-taken", `the organization already has a cycle named "${name}"`);
}

/** A calendar as the cycle row's columns. */
export const calendarColumns = (calendar: CycleCalendar) => ({
  name: calendar.name,
  startsAt: calendar.startsAt,
  endsAt: calendar.endsAt,
  timeZone: calendar.timeZone,
  checkInWeekday: calendar.checkInCadence.weekday,
  checkInHour: calendar.checkInCadence.hour,
  checkInEveryDays: calendar.checkInCadence.everyDays,
});

/**
 * Each key result of the cycle's open objectives with its owner (the objective's when it names none), its
 * last check-in and, for a person, the team they lead (else their first team), by key result id.
 */
export async function checkInStatus(db: SqlRunner, tenantId: string, cycleId: string) {
  const { rows } = await db.query<{
    key_result_id: string;
    objective_id: string;
    owner_kind: "team" | "person";
    owner_id: string;
    last_check_in_at: Date | null;
    person_team_id: string | null;
  }>(
    `select k.id as key_result_id, k.objective_id,
            coalesce(k.owner_kind, o.owner_kind) as owner_kind, coalesce(k.owner_id, o.owner_id) as owner_id,
            k.last_check_in_at,
            (select m.team_id from team_memberships m
              where m.tenant_id = $1 and m.person_id = coalesce(k.owner_id, o.owner_id)
              order by (m.role = 'leader') desc, m.team_id limit 1) as person_team_id
       from key_results k join objectives o on o.id = k.objective_id
      where k.tenant_id = $1 and k.cycle_id = $2 and o.state <> 'closed'
      order by k.id`,
    [tenantId, cycleId],
  );
  return rows;
}
