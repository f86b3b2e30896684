import type { EventData, KeyResultUpserted } from "@okr/events";
import {
  assertValidKeyResult,
  type CheckIn,
  type KeyResultDefinition,
  milestonesDone,
  ScoringError,
} from "@okr/scoring-rules";

/** A key result as the read model keeps it (the goals event's shape, nullable numbers included). */
export interface KeyResultRow {
  id: string;
  type: string;
  baseline: number | null;
  target: number | null;
  band_low: number | null;
  band_high: number | null;
  milestones: string[] | null;
}

export interface CheckInRow {
  id: string;
  value: number;
  milestones_done: number | null;
  confidence: number;
  recorded_at: Date;
}

const need = (value: number | null, field: string, id: string): number => {
  if (value === null) throw new ScoringError("invalid-key-result", `Key result "${id}" needs ${field}.`);
  return value;
};

/**
 * The scoring-rules definition of a goals key result: stay-above/below hold `target` as their threshold,
 * stay-between holds [bandLow, bandHigh]. Throws a ScoringError when it cannot be scored.
 */
export function keyResultDefinition(row: KeyResultRow): KeyResultDefinition {
  const { id } = row;
  let definition: KeyResultDefinition;
  switch (row.type) {
    case "increase-to":
    case "decrease-to":
      definition = {
        id,
        type: row.type,
        baseline: need(row.baseline, "a baseline", id),
        target: need(row.target, "a target", id),
      };
      break;
    case "stay-above":
    case "stay-below":
      definition = { id, type: row.type, threshold: need(row.target, "a target (the threshold)", id) };
      break;
    case "stay-between":
      definition = {
        id,
        type: "stay-between",
        low: need(row.band_low, "bandLow", id),
        high: need(row.band_high, "bandHigh", id),
      };
      break;
    case "milestone":
      definition = { id, type: "milestone", milestones: row.milestones ?? [] };
      break;
    default:
      throw new ScoringError("invalid-key-result", `Key result "${id}" has unknown type "${row.type}".`);
  }
  assertValidKeyResult(definition);
  return definition;
}

export function keyResultRowOf(data: EventData<typeof KeyResultUpserted>): KeyResultRow {
  return {
    id: data.keyResultId,
    type: data.type,
    baseline: data.baseline,
    target: data.target,
    band_low: data.bandLow,
    band_high: data.bandHigh,
    milestones: data.milestones,
  };
}

/**
 * A stored check-in as scoring-rules reads it. Milestone KRs report how many milestones are done
 * (`milestonesDone`, else the value): the first n of the KR's milestones count as completed.
 */
export function checkInOf(row: CheckInRow, definition: KeyResultDefinition): CheckIn {
  const base = { id: row.id, recordedAt: row.recorded_at.getTime(), confidence: row.confidence };
  if (definition.type !== "milestone") return { ...base, value: row.value };
  const total = definition.milestones.length;
  const done = milestonesDone({ milestonesDone: row.milestones_done, value: row.value }, total);
  return { ...base, completedMilestones: definition.milestones.slice(0, done) };
}
