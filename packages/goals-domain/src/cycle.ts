import { type CheckInCadence, validateCadence } from "./policy.ts";
import type { RuleViolation } from "./rules.ts";
import { isKnownTimeZone } from "./zoned-time.ts";

export const CYCLE_PHASES = [
  "SETTING",
  "CASCADE",
  "CHECK_INS",
  "SCORING",
  "RETROSPECTIVE",
  "CLOSED",
] as const;
export type CyclePhase = (typeof CYCLE_PHASES)[number];

export interface CycleCalendar {
  name: string;
  startsAt: Date;
  endsAt: Date;
  timeZone: string;
  checkInCadence: CheckInCadence;
}

export const phaseIndex = (phase: CyclePhase) => CYCLE_PHASES.indexOf(phase);

/** From SCORING on, objectives and key results are frozen: grades are computed on what was committed. */
export const isLockedPhase = (phase: CyclePhase) => phaseIndex(phase) >= phaseIndex("SCORING");

export type PhaseChange =
  | { kind: "unchanged" }
  | { kind: "advance"; from: CyclePhase; to: CyclePhase; locks: boolean }
  | { kind: "rejected"; violation: RuleViolation };

/**
 * Phases only move forward (skipping is allowed: a demo may jump to SCORING); asking for the current
 * phase again is a no-op so that a workflow retrying its activity changes nothing.
 */
export function changePhase(current: CyclePhase, requested: CyclePhase): PhaseChange {
  if (current === requested) return { kind: "unchanged" };
  if (phaseIndex(requested) < phaseIndex(current))
    return {
      kind: "rejected",
      violation: {
        code: "phase-backwards",
        message: `the cycle is in ${current}; phases only move forward (${CYCLE_PHASES.join(" -> ")}), not back to ${requested}`,
      },
    };
  return {
    kind: "advance",
    from: current,
    to: requested,
    locks: isLockedPhase(requested) && !isLockedPhase(current),
  };
}

const MAX_CYCLE_DAYS = 400;

export function validateCycle(cycle: CycleCalendar): RuleViolation[] {
  const errors: RuleViolation[] = [];
  if (!cycle.name.trim())
    errors.push({ code: "cycle-name", message: "name must not be blank", path: "/name" });
  if (Number.isNaN(cycle.startsAt.getTime()) || Number.isNaN(cycle.endsAt.getTime()))
    errors.push({ code: "cycle-dates", message: "startsAt and endsAt must be valid date-times" });
  else if (cycle.endsAt <= cycle.startsAt)
    errors.push({ code: "cycle-order", message: "endsAt must be after startsAt", path: "/endsAt" });
  else if (cycle.endsAt.getTime() - cycle.startsAt.getTime() > MAX_CYCLE_DAYS * 86_400_000)
    errors.push({
      code: "cycle-too-long",
      message: `a cycle lasts at most ${MAX_CYCLE_DAYS} days`,
      hint: "OKR cycles are usually a quarter; split longer horizons into several cycles",
      path: "/endsAt",
    });
  if (!isKnownTimeZone(cycle.timeZone))
    errors.push({
      code: "cycle-time-zone",
      message: `unknown IANA time zone "${cycle.timeZone}"`,
      path: "/timeZone",
    });
  return [...errors, ...validateCadence(cycle.checkInCadence)];
}
