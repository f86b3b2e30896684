import type { CyclePhase } from "./cycle.ts";
import type { ObjectiveState } from "./objective.ts";

/** What the cycle asks of one person now: one list instead of scattered reminders. */
export type WorkAction = "check-in" | "draft-objectives" | "approve-objectives" | "retrospective";

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
  | {
      action: "draft-objectives";
      cycleId: string;
      teamId: string;
      teamName: string;
      /** Objectives still to submit (draft or returned); 0 with none written yet. */
      open: number;
      written: number;
    }
  | {
      action: "approve-objectives";
      cycleId: string;
      teamId: string;
      teamName: string;
      objectiveIds: string[];
    }
  | { action: "retrospective"; cycleId: string; teamId: string; teamName: string };

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
}

const DAY_MS = 86_400_000;
const DRAFTING: readonly CyclePhase[] = ["SETTING", "CASCADE"];
const STILL_OPEN: readonly ObjectiveState[] = ["draft", "returned"];

/**
 * The person's work at `now`, soonest due first: check-ins their cadence asks for on key results they or
 * their teams own (CHECK_INS), their led teams' objectives to write and submit and their child teams'
 * submissions to approve (SETTING, CASCADE), and their led teams' retrospectives (RETROSPECTIVE).
 * Only leaders draft, approve and write retrospectives, as the cycle workflow expects of them.
 */
export function workFor(snapshot: WorkSnapshot, now: Date): WorkItem[] {
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
    } else if (DRAFTING.includes(cycle.phase)) {
      for (const t of snapshot.teams) {
        const objectives = snapshot.objectives.filter((o) => o.cycleId === cycle.id && o.teamId === t.id);
        if (led.has(t.id)) {
          const open = objectives.filter((o) => STILL_OPEN.includes(o.state)).length;
          if (objectives.length === 0 || open > 0)
            items.push({
              dueMs: Number.POSITIVE_INFINITY,
              item: {
                action: "draft-objectives",
                cycleId: cycle.id,
                teamId: t.id,
                teamName: t.name,
                open,
                written: objectives.length,
              },
            });
        }
        const submitted = objectives.filter((o) => o.state === "submitted").map((o) => o.id);
        if (t.parentTeamId && led.has(t.parentTeamId) && submitted.length > 0)
          items.push({
            dueMs: Number.POSITIVE_INFINITY,
            item: {
              action: "approve-objectives",
              cycleId: cycle.id,
              teamId: t.id,
              teamName: t.name,
              objectiveIds: submitted.sort(),
            },
          });
      }
    } else if (cycle.phase === "RETROSPECTIVE") {
      for (const teamId of [...led].sort()) {
        const written = snapshot.retrospectives.some((r) => r.cycleId === cycle.id && r.teamId === teamId);
        const t = team.get(teamId);
        if (!written && t)
          items.push({
            dueMs: Number.POSITIVE_INFINITY,
            item: { action: "retrospective", cycleId: cycle.id, teamId, teamName: t.name },
          });
      }
    }
  }
  return items.sort((a, b) => a.dueMs - b.dueMs).map(({ item }) => item);
}
