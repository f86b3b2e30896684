/** A check-in as its form holds it, and goals-domain's verdict on it before anything is sent. */
import {
  type CyclePhase,
  type EvidenceKind,
  type KeyResultType,
  type RuleViolation,
  validateCheckIn,
} from "@okr/goals-domain";
import type { CycleSchema, KeyResultSchema } from "@okr/goals-service/views";
import type { Static } from "typebox";

// From goals' schemas rather than ./api.ts, which is browser code: the unit test runs this in Node.
type KeyResult = Static<typeof KeyResultSchema>;
type Cycle = Static<typeof CycleSchema>;

/** What the person typed: numbers as text (a blank is "none"), confidence in percent. */
export interface CheckInDraft {
  value: string;
  confidencePercent: string;
  evidenceUrl: string;
  note: string;
}

/** The rules' answers by the field they are about; `general` is about the check-in as a whole. */
export interface CheckInVerdict {
  value: RuleViolation[];
  confidence: RuleViolation[];
  evidence: RuleViolation[];
  general: RuleViolation[];
}

const EVIDENCE_KINDS: readonly string[] = ["url", "system", "any"] satisfies EvidenceKind[];

/** Codes that need the cycle's dates and phase: left to the service while the cycle is not known. */
const CYCLE_CODES = new Set([
  "cycle-locked",
  "check-in-after-cycle-end",
  "check-in-before-cycle-start",
  "check-in-in-future",
]);

/** The body goals takes for the draft (milestone key results report the milestones done). */
export function checkInBody(draft: CheckInDraft, keyResult: Pick<KeyResult, "type">) {
  const value = Number(draft.value);
  return {
    value,
    ...(keyResult.type === "milestone" ? { milestonesDone: value } : {}),
    confidence: Number(draft.confidencePercent) / 100,
    evidence: draft.evidenceUrl.trim() ? { url: draft.evidenceUrl.trim() } : {},
    ...(draft.note.trim() ? { note: draft.note.trim() } : {}),
  };
}

/**
 * The same rule the goals service runs on a check-in (goals-domain's `validateCheckIn`), on the draft as
 * a person would send it now: evidence of the kind the key result asks for, a number, a confidence in
 * 0-100 %, a milestone count the key result has, and a cycle that still takes check-ins. What only the
 * service knows (permissions, the objective's state) still comes back as its problem.
 */
export function judgeCheckIn(
  draft: CheckInDraft,
  keyResult: Pick<KeyResult, "type" | "milestones" | "evidence">,
  cycle: Pick<Cycle, "phase" | "locked" | "startsAt" | "endsAt"> | null,
  now: Date,
): CheckInVerdict {
  const body = checkInBody(draft, keyResult);
  const evidenceKind = (
    EVIDENCE_KINDS.includes(keyResult.evidence.kind) ? keyResult.evidence.kind : "any"
  ) as EvidenceKind;
  const violations = validateCheckIn(
    {
      ...body,
      value: draft.value.trim() === "" ? Number.NaN : body.value,
      confidence: draft.confidencePercent.trim() === "" ? Number.NaN : body.confidence,
      note: body.note ?? "",
      recordedAt: now,
      source: "person",
    },
    {
      keyResult: {
        // goals answers one of goals-domain's types; its view schema says string.
        type: keyResult.type as KeyResultType,
        milestoneCount: keyResult.milestones.length,
        evidenceKind,
      },
      // The objective's state is the service's to check; only a closed one would be refused here.
      objectiveState: "approved",
      cycle: cycle
        ? {
            phase: cycle.phase as CyclePhase,
            locked: cycle.locked,
            startsAt: new Date(cycle.startsAt),
            endsAt: new Date(cycle.endsAt),
          }
        : { phase: "CHECK_INS", locked: false, startsAt: now, endsAt: now },
      now,
    },
  ).filter((v) => cycle !== null || !CYCLE_CODES.has(v.code));
  const about = (prefix: string) => violations.filter((v) => v.path?.startsWith(prefix));
  return {
    value: [...about("/value"), ...about("/milestonesDone")],
    confidence: about("/confidence"),
    evidence: about("/evidence"),
    general: violations.filter(
      (v) =>
        !v.path ||
        !["/value", "/milestonesDone", "/confidence", "/evidence"].some((p) => v.path?.startsWith(p)),
    ),
  };
}

export const isAcceptable = (verdict: CheckInVerdict) =>
  Object.values(verdict).every((violations) => violations.length === 0);
