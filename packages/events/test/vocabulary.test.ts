import { CLASSIFICATIONS, WASTES } from "@okr/flow-metrics";
import {
  CYCLE_PHASES,
  KEY_RESULT_TYPES,
  OBJECTIVE_KINDS,
  OBJECTIVE_STATES,
  REMINDER_ACTIONS,
} from "@okr/goals-domain";
import { describe, expect, it } from "vitest";
import {
  CyclePhaseChanged,
  KeyResultUpserted,
  ObjectiveUpserted,
  ReminderDue,
  StepChanged,
} from "../src/index.ts";

/** The values a published schema allows: a union of literals (`anyOf` of `const`) or an `enum`. */
function allowed(schema: unknown): unknown[] {
  const { anyOf, enum: values } = schema as { anyOf?: { const?: unknown }[]; enum?: unknown[] };
  if (values) return values;
  if (anyOf?.every((member) => "const" in member)) return anyOf.map((member) => member.const);
  throw new Error(`not a list of literals: ${JSON.stringify(schema)}`);
}

// The event contracts spell these lists out on purpose (see src/contracts/common.ts); this is what keeps
// them equal to the lists the domain packages own.
describe("event contracts use the domain's vocabulary", () => {
  it("key result types are the goals domain's", () => {
    expect(allowed(KeyResultUpserted.schema.properties.type)).toEqual([...KEY_RESULT_TYPES]);
  });

  it("cycle phases are the goals domain's", () => {
    expect(allowed(CyclePhaseChanged.schema.properties.phase)).toEqual([...CYCLE_PHASES]);
  });

  it("objective kinds and states are the goals domain's", () => {
    expect(allowed(ObjectiveUpserted.schema.properties.kind)).toEqual([...OBJECTIVE_KINDS]);
    expect(allowed(ObjectiveUpserted.schema.properties.state)).toEqual([...OBJECTIVE_STATES]);
  });

  it("reminder actions are the ones goals' My work reads", () => {
    expect(allowed(ReminderDue.schema.properties.action)).toEqual([...REMINDER_ACTIONS]);
  });

  it("waste tags and step classifications are the flow metrics'", () => {
    const wasteTags = StepChanged.schema.properties.wasteTags as unknown as { items: unknown };
    expect(allowed(wasteTags.items)).toEqual([...WASTES]);
    expect(allowed(StepChanged.schema.properties.classification)).toEqual([...CLASSIFICATIONS]);
  });
});
