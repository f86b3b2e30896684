/** A key result as the form holds it, and what becomes of it: goals' body, and goals-domain's verdict on it. */
import {
  type EvidenceKind,
  type KeyResultDefinition,
  type KeyResultType,
  type RuleViolation,
  validateKeyResult,
} from "@okr/goals-domain";
import type { KeyResultSchema } from "@okr/goals-service/views";
import type { Static } from "typebox";

type KeyResult = Static<typeof KeyResultSchema>;

/** A key result as its form holds it: numbers as typed (a blank is "none"), milestones one per line. */
export interface KeyResultDraft {
  key: string;
  /** The saved key result this draft edits; absent for a new one. */
  id?: string;
  title: string;
  type: KeyResultType;
  baseline: string;
  target: string;
  bandLow: string;
  bandHigh: string;
  milestones: string;
  unit: string;
  weight: number;
  evidenceKind: EvidenceKind;
  evidenceDescription: string;
  /** Lint waits until someone has typed in it, so a fresh key result does not open with errors. */
  touched: boolean;
}

let nextKey = 0;
export const newDraft = (): KeyResultDraft => ({
  key: `new-${nextKey++}`,
  title: "",
  type: "increase-to",
  baseline: "",
  target: "",
  bandLow: "",
  bandHigh: "",
  milestones: "",
  unit: "",
  weight: 1,
  evidenceKind: "any",
  evidenceDescription: "",
  touched: false,
});

const text = (value: number | null) => (value === null ? "" : String(value));
export const draftOf = (kr: KeyResult): KeyResultDraft => ({
  key: kr.id,
  id: kr.id,
  title: kr.title,
  type: kr.type as KeyResultType,
  baseline: text(kr.baseline),
  target: text(kr.target),
  bandLow: text(kr.bandLow),
  bandHigh: text(kr.bandHigh),
  milestones: kr.milestones.join("\n"),
  unit: kr.unit,
  weight: kr.weight,
  evidenceKind: kr.evidence.kind as EvidenceKind,
  evidenceDescription: kr.evidence.description,
  touched: true,
});

const numberOf = (value: string) => (value.trim() === "" ? null : Number(value));
const milestonesOf = (value: string) =>
  value
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);

/** Only the fields the draft's type uses: a number left over from another type is not sent. */
export function definitionOf(draft: KeyResultDraft): KeyResultDefinition {
  const uses = (field: "baseline" | "target" | "band" | "milestones") => fieldsOf(draft.type).includes(field);
  return {
    title: draft.title,
    type: draft.type,
    baseline: uses("baseline") ? numberOf(draft.baseline) : null,
    target: uses("target") ? numberOf(draft.target) : null,
    bandLow: uses("band") ? numberOf(draft.bandLow) : null,
    bandHigh: uses("band") ? numberOf(draft.bandHigh) : null,
    milestones: uses("milestones") ? milestonesOf(draft.milestones) : [],
    unit: draft.unit.trim(),
    weight: draft.weight,
    evidenceKind: draft.evidenceKind,
  };
}

/** The body goals' key result routes take. */
export function bodyOf(draft: KeyResultDraft) {
  const { evidenceKind, ...definition } = definitionOf(draft);
  return {
    ...definition,
    title: definition.title.trim(),
    evidence: { kind: evidenceKind, description: draft.evidenceDescription.trim() },
  };
}

/** goals-domain's own measurable-KR rule, run in the browser as the person types. */
export const lintOf = (draft: KeyResultDraft): RuleViolation[] =>
  draft.touched ? validateKeyResult(definitionOf(draft)) : [];

export function fieldsOf(type: KeyResultType): ("baseline" | "target" | "band" | "milestones")[] {
  if (type === "increase-to" || type === "decrease-to") return ["baseline", "target"];
  if (type === "stay-above" || type === "stay-below") return ["target"];
  if (type === "stay-between") return ["band"];
  return ["milestones"];
}
