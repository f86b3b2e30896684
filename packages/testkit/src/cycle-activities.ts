import { randomUUID } from "node:crypto";
import type { CycleActivities, CycleCalendar, TeamRef } from "@okr/cycle-workflows";

/**
 * Cycle activities for tests and benches that drive the cycle workflows themselves and need nothing from
 * the later steps: goals answers `calendar` and `teams` (in pages of 500); no check-ins fall due, nobody is
 * reminded or at risk, the final grades are complete, every team's retrospective is in without lessons,
 * and the next cycle is a fresh id.
 */
export function quietCycleActivities(calendar: CycleCalendar, teams: TeamRef[]): CycleActivities {
  return {
    loadCycle: async () => calendar,
    listTeams: async ({ cursor }) => {
      const start = cursor ? Number(cursor) : 0;
      const end = Math.min(teams.length, start + 500);
      return { items: teams.slice(start, end), nextCursor: end < teams.length ? String(end) : null };
    },
    setPhase: async () => undefined,
    planCheckIns: async () => [],
    publishReminders: async ({ reminders }) => reminders.length,
    remindMissingCheckIns: async () => ({ missing: 0, reminded: 0 }),
    alertAtRisk: async () => ({ atRisk: [], alerted: [] }),
    approveObjectives: async () => undefined,
    requestFinalGrades: async () => ({
      complete: true,
      organizationScore: 1,
      objectives: [],
      unfinishedKeyResultIds: [],
      checkInDiscipline: { keyResults: 0, withCheckIns: 0, checkInsTotal: 0 },
    }),
    collectRetrospectives: async () => ({
      teamIds: teams.map((team) => team.id),
      lessons: [],
      carryForwardKeyResultIds: [],
    }),
    proposeNextCycle: async () => ({ nextCycleId: randomUUID(), draftsCreated: 0 }),
  };
}
