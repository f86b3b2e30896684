import { type CyclePhase, phaseIndex } from "./cycle.ts";
import type { RuleViolation } from "./rules.ts";

export interface RetrospectiveInput {
  wentWell: string;
  didNotGoWell: string;
  lessons: string;
  carryForwardKeyResultIds: string[];
}

/**
 * A retrospective reflects on work done: it can be written once check-ins have started and until the
 * cycle closes; it says something; carry-forward proposals name key results of this cycle, once each.
 */
export function validateRetrospective(
  input: RetrospectiveInput,
  phase: CyclePhase,
  isKeyResultOfCycle: (id: string) => boolean,
): RuleViolation[] {
  const errors: RuleViolation[] = [];
  if (phaseIndex(phase) < phaseIndex("CHECK_INS") || phase === "CLOSED")
    errors.push({
      code: "retrospective-phase",
      message: `retrospectives are written between CHECK_INS and RETROSPECTIVE; the cycle is in ${phase}`,
    });
  if (![input.wentWell, input.didNotGoWell, input.lessons].some((text) => text.trim()))
    errors.push({
      code: "retrospective-empty",
      message: "say at least what went well, what did not, or what was learned",
      path: "/wentWell",
    });
  if (new Set(input.carryForwardKeyResultIds).size !== input.carryForwardKeyResultIds.length)
    errors.push({
      code: "retrospective-duplicate-carry-forward",
      message: "each key result is carried forward once",
      path: "/carryForwardKeyResultIds",
    });
  input.carryForwardKeyResultIds.forEach((id, index) => {
    if (!isKeyResultOfCycle(id))
      errors.push({
        code: "retrospective-unknown-key-result",
        message: `key result ${id} is not part of this cycle`,
        path: `/carryForwardKeyResultIds/${index}`,
      });
  });
  return errors;
}
