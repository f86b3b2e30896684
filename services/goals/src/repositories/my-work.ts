import type { CyclePhase, ObjectiveState, ReminderAction, WorkSnapshot } from "@okr/goals-domain";
import type { GoalsDb } from "../database.ts";

const owner = (kind: string, id: string) => ({
  kind: kind === "team" ? ("team" as const) : ("person" as const),
  id,
});

/**
 * What `workFor` needs to list one person's work, read in a handful of indexed queries: their teams,
 * the teams they lead and those teams' children, the open cycles, and in those cycles the key results
 * they or their teams own, the led and child teams' objectives, the retrospectives written and the
 * mid-cycle reviews held, and the reminders about a team the cycle workflows sent them.
 */
export async function workSnapshot(db: GoalsDb, tenantId: string, personId: string): Promise<WorkSnapshot> {
  const [memberships, cycles] = await Promise.all([
    db.teamMembership.findMany({ where: { tenantId, personId }, select: { teamId: true, role: true } }),
    db.cycle.findMany({
      where: { tenantId, phase: { not: "CLOSED" } },
      select: { id: true, phase: true, checkInEveryDays: true, startsAt: true },
      orderBy: { startsAt: "asc" },
    }),
  ]);
  const teamIds = memberships.map((m) => m.teamId);
  const ledIds = memberships.filter((m) => m.role === "leader").map((m) => m.teamId);
  const inPhase = (...phases: string[]) => cycles.filter((c) => phases.includes(c.phase)).map((c) => c.id);
  const ownedByMe = [
    { ownerKind: "person", ownerId: personId },
    { ownerKind: "team", ownerId: { in: teamIds } },
  ];
  const [teams, keyResults, retrospectives, midCycleReviews, reminders] = await Promise.all([
    db.team.findMany({
      where: { tenantId, OR: [{ id: { in: ledIds } }, { parentTeamId: { in: ledIds } }] },
      select: { id: true, name: true, parentTeamId: true },
      orderBy: { name: "asc" },
    }),
    db.keyResult.findMany({
      where: {
        tenantId,
        cycleId: { in: inPhase("CHECK_INS") },
        // A key result without its own owner is its objective's.
        OR: [...ownedByMe, { ownerId: null, objective: { OR: ownedByMe } }],
      },
      select: {
        id: true,
        objectiveId: true,
        cycleId: true,
        title: true,
        ownerKind: true,
        ownerId: true,
        lastCheckInAt: true,
        objective: { select: { ownerKind: true, ownerId: true } },
      },
      orderBy: { id: "asc" },
    }),
    db.retrospective.findMany({
      where: { tenantId, cycleId: { in: inPhase("RETROSPECTIVE") }, teamId: { in: ledIds } },
      select: { cycleId: true, teamId: true },
    }),
    db.midCycleReview.findMany({
      where: { tenantId, cycleId: { in: inPhase("CHECK_INS") }, teamId: { in: ledIds } },
      select: { cycleId: true, teamId: true },
    }),
    db.cycleReminder.findMany({
      where: {
        tenantId,
        recipientKind: "person",
        recipientId: personId,
        cycleId: { in: cycles.map((c) => c.id) },
        teamId: { not: null },
      },
      select: { cycleId: true, teamId: true, action: true, dueAt: true, escalation: true, sentAt: true },
    }),
  ]);
  const objectives = await db.objective.findMany({
    where: {
      tenantId,
      cycleId: { in: inPhase("SETTING", "CASCADE") },
      ownerKind: "team",
      ownerId: { in: teams.map((t) => t.id) },
    },
    select: { id: true, cycleId: true, ownerId: true, state: true },
  });
  return {
    personId,
    memberships: memberships.map((m) => ({
      teamId: m.teamId,
      role: m.role === "leader" ? "leader" : "member",
    })),
    teams,
    cycles: cycles.map((c) => ({
      id: c.id,
      phase: c.phase as CyclePhase,
      checkInEveryDays: c.checkInEveryDays,
      startsAt: c.startsAt.toISOString(),
    })),
    keyResults: keyResults.map((kr) => ({
      id: kr.id,
      objectiveId: kr.objectiveId,
      cycleId: kr.cycleId,
      title: kr.title,
      owner:
        kr.ownerKind && kr.ownerId
          ? owner(kr.ownerKind, kr.ownerId)
          : owner(kr.objective.ownerKind, kr.objective.ownerId),
      lastCheckInAt: kr.lastCheckInAt?.toISOString() ?? null,
    })),
    objectives: objectives.map((o) => ({
      id: o.id,
      cycleId: o.cycleId,
      teamId: o.ownerId,
      state: o.state as ObjectiveState,
    })),
    retrospectives,
    midCycleReviews,
    reminders: reminders.map((r) => ({
      cycleId: r.cycleId,
      teamId: r.teamId as string,
      action: r.action as ReminderAction,
      dueAt: r.dueAt.toISOString(),
      escalation: r.escalation,
      sentAt: r.sentAt.toISOString(),
    })),
  };
}
