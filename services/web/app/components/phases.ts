/** The cycle's phases in order, as people read them. */
export const PHASES = ["SETTING", "CASCADE", "CHECK_INS", "SCORING", "RETROSPECTIVE", "CLOSED"] as const;
export type Phase = (typeof PHASES)[number];

const NAMES: Record<Phase, string> = {
  SETTING: "Setting",
  CASCADE: "Cascade",
  CHECK_INS: "Check-ins",
  SCORING: "Scoring",
  RETROSPECTIVE: "Retrospective",
  CLOSED: "Closed",
};

export const phaseName = (phase: Phase) => NAMES[phase];
export const nextPhase = (phase: Phase): Phase | undefined => PHASES[PHASES.indexOf(phase) + 1];
