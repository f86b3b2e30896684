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
