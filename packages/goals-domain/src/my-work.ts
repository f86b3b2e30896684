import type { CyclePhase } from "./cycle.ts";
import type { ObjectiveState } from "./objective.ts";

/** What the cycle asks of one person now: one list instead of scattered reminders. */
export type WorkAction =
  | "check-in"
  | "draft-objectives"
  | "approve-objectives"
  | "mid-cycle-review"
  | "retrospective";

/** What a cycle workflow's reminder asks for (okr.cycle.reminder-due.v1's `action`, kept equal by a test). */
export const REMINDER_ACTIONS = [
  "draft-objectives",
  "approve-objectives",
  "check-in",
  "mid-cycle-review",
  "retrospective",
] as const;
export type ReminderAction = (typeof REMINDER_ACTIONS)[number];

/**
 * The deadline of a team's item: the `dueAt` of the newest reminder about it, null with none. Only the
 * cycle workflows know these deadlines; they reach the person as reminders.
 */
type Deadline = { dueAt: string | null };

export type WorkItem =
  | {
      action: "check-in";
      cycleId: string;
      keyResultId: string;
      objectiveId: string;
      title: string;
      /** When the cadence asked for it: the last check-in plus the cadence, or the phase's start. */
      dueAt: string;
      lastCheckInAt: string | null;
    }
  | ({
      action: "draft-objectives";
      cycleId: string;
      teamId: string;
      teamName: string;
      /** Objectives still to submit (draft or returned); 0 with none written yet. */
      open: number;
      written: number;
    } & Deadline)
  | ({
      action: "approve-objectives";
      cycleId: string;
      teamId: string;
      teamName: string;
      objectiveIds: string[];
    } & Deadline)
  | ({ action: "mid-cycle-review"; cycleId: string; teamId: string; teamName: string } & Deadline)
  | ({ action: "retrospective"; cycleId: string; teamId: string; teamName: string } & Deadline);

export interface WorkSnapshot {
  /** The person, and the teams they belong to with their role there. */
  personId: string;
  memberships: { teamId: string; role: "leader" | "member" }[];
  /** Teams they lead and the teams directly under those. */
  teams: { id: string; name: string; parentTeamId: string | null }[];
  /** Cycles not closed. */
  cycles: { id: string; phase: CyclePhase; checkInEveryDays: number; startsAt: string }[];
  /** Key results of those cycles owned by the person or by a team they belong to. */
  keyResults: {
    id: string;
    objectiveId: string;
    cycleId: string;
    title: string;
    owner: { kind: "team" | "person"; id: string };
    lastCheckInAt: string | null;
  }[];
  /** Objectives of those cycles owned by the teams in `teams`. */
  objectives: { id: string; cycleId: string; teamId: string; state: ObjectiveState }[];
  /** (cycle, team) pairs that have submitted their retrospective. */
  retrospectives: { cycleId: string; teamId: string }[];
  /** (cycle, team) pairs whose mid-cycle review a leader recorded as held. */
  midCycleReviews: { cycleId: string; teamId: string }[];
  /**
   * Reminders the cycle workflows sent the person in those cycles about a team, `sentAt` being when
   * (reminders that name no team are left out).
   */
  reminders: {
    cycleId: string;
    teamId: string;
    action: ReminderAction;
    dueAt: string;
    escalation: boolean;
    sentAt: string;
  }[];
}

const DAY_MS = 86_400_000;
const DRAFTING: readonly CyclePhase[] = ["SETTING", "CASCADE"];
const STILL_OPEN: readonly ObjectiveState[] = ["draft", "returned"];

/**
 * The person's work at `now`, soonest due first: check-ins their cadence asks for on key results they or
 * their teams own and the mid-cycle reviews of led teams the workflow asked them for, until one is
 * recorded as held (CHECK_INS), their led teams' objectives to write and submit and their child teams'
 * submissions to approve (SETTING, CASCADE), and their led teams' retrospectives (RETROSPECTIVE).
 * Only leaders draft, approve, hold reviews and write retrospectives, as the cycle workflow expects. A
 * team's item carries the deadline its reminders gave (see `deadlineOf`); items without one come last.
 */
export function workFor(snapshot: WorkSnapshot, now: Date): WorkItem[] {
  const deadline = (cycleId: string, teamId: string, action: ReminderAction) => {
    const dueAt = deadlineOf(snapshot.reminders, cycleId, teamId, action);
    return { dueAt, dueMs: dueAt === null ? Number.POSITIVE_INFINITY : Date.parse(dueAt) };
  };
  const led = new Set(snapshot.memberships.filter((m) => m.role === "leader").map((m) => m.teamId));
  const mine = new Set(snapshot.memberships.map((m) => m.teamId));
  const team = new Map(snapshot.teams.map((t) => [t.id, t]));
  const items: { item: WorkItem; dueMs: number }[] = [];
  for (const cycle of snapshot.cycles) {
    if (cycle.phase === "CHECK_INS") {
      const cadenceMs = cycle.checkInEveryDays * DAY_MS;
      for (const kr of snapshot.keyResults) {
        if (kr.cycleId !== cycle.id) continue;
        const owned = kr.owner.kind === "person" ? kr.owner.id === snapshot.personId : mine.has(kr.owner.id);
        if (!owned) continue;
        const dueMs = kr.lastCheckInAt
          ? Date.parse(kr.lastCheckInAt) + cadenceMs
          : Date.parse(cycle.startsAt);
        if (dueMs > now.getTime()) continue;
        items.push({
          dueMs,
          item: {
            action: "check-in",
            cycleId: cycle.id,
            keyResultId: kr.id,
            objectiveId: kr.objectiveId,
            title: kr.title,
            dueAt: new Date(dueMs).toISOString(),
            lastCheckInAt: kr.lastCheckInAt,
          },
        });
      }
      for (const teamId of reviewsAskedOf(snapshot, cycle.id)) {
        const t = team.get(teamId);
        if (!t || !led.has(teamId)) continue;
        const { dueAt, dueMs } = deadline(cycle.id, teamId, "mid-cycle-review");
        items.push({
          dueMs,
          item: { action: "mid-cycle-review", cycleId: cycle.id, teamId, teamName: t.name, dueAt },
        });
      }
    } else if (DRAFTING.includes(cycle.phase)) {
      for (const t of snapshot.teams) {
        const objectives = snapshot.objectives.filter((o) => o.cycleId === cycle.id && o.teamId === t.id);
        if (led.has(t.id)) {
          const open = objectives.filter((o) => STILL_OPEN.includes(o.state)).length;
          if (objectives.length === 0 || open > 0) {
            const { dueAt, dueMs } = deadline(cycle.id, t.id, "draft-objectives");
            items.push({
              dueMs,
              item: {
                action: "draft-objectives",
                cycleId: cycle.id,
                teamId: t.id,
                teamName: t.name,
                open,
                written: objectives.length,
                dueAt,
              },
            });
          }
        }
        const submitted = objectives.filter((o) => o.state === "submitted").map((o) => o.id);
        if (t.parentTeamId && led.has(t.parentTeamId) && submitted.length > 0) {
          const { dueAt, dueMs } = deadline(cycle.id, t.id, "approve-objectives");
          items.push({
            dueMs,
            item: {
              action: "approve-objectives",
              cycleId: cycle.id,
              teamId: t.id,
              teamName: t.name,
              objectiveIds: submitted.sort(),
              dueAt,
            },
          });
        }
      }
    } else if (cycle.phase === "RETROSPECTIVE") {
      for (const teamId of [...led].sort()) {
        const written = snapshot.retrospectives.some((r) => r.cycleId === cycle.id && r.teamId === teamId);
        const t = team.get(teamId);
        if (!written && t) {
          const { dueAt, dueMs } = deadline(cycle.id, teamId, "retrospective");
          items.push({
            dueMs,
            item: { action: "retrospective", cycleId: cycle.id, teamId, teamName: t.name, dueAt },
          });
        }
      }
    }
  }
  // Stable: items due at the same time (or without a deadline, last) keep the order they were found in.
  return items.sort((a, b) => (a.dueMs === b.dueMs ? 0 : a.dueMs - b.dueMs)).map(({ item }) => item);
}

/** Teams of the cycle whose mid-cycle review the person was reminded of and nobody recorded as held yet. */
function reviewsAskedOf(snapshot: WorkSnapshot, cycleId: string): string[] {
  const held = new Set(snapshot.midCycleReviews.filter((r) => r.cycleId === cycleId).map((r) => r.teamId));
  const asked = snapshot.reminders
    .filter((r) => r.cycleId === cycleId && r.action === "mid-cycle-review" && !held.has(r.teamId))
    .map((r) => r.teamId);
  return [...new Set(asked)].sort();
}

/**
 * The deadline of one team's item: the newest reminder's `dueAt` (by when it was sent, then the later
 * deadline). Escalations repeat a deadline already missed and do not move one a reminder set; only when
 * every reminder about it was an escalation (a submission made after the reminder went out, escalated
 * to the parent's leaders) does the newest escalation give it.
 */
export function deadlineOf(
  reminders: WorkSnapshot["reminders"],
  cycleId: string,
  teamId: string,
  action: ReminderAction,
): string | null {
  const about = reminders.filter((r) => r.cycleId === cycleId && r.teamId === teamId && r.action === action);
  const plain = about.filter((r) => !r.escalation);
  let newest: (typeof reminders)[number] | undefined;
  for (const r of plain.length > 0 ? plain : about) {
    const order = newest ? Date.parse(r.sentAt) - Date.parse(newest.sentAt) : 1;
    if (order > 0 || (order === 0 && Date.parse(r.dueAt) > Date.parse(newest!.dueAt))) newest = r;
  }
  return newest?.dueAt ?? null;
}
