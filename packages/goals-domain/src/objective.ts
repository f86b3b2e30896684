import { enforceCount, type OkrPolicy } from "./policy.ts";
import type { RuleViolation, Verdict } from "./rules.ts";

export const OBJECTIVE_STATES = ["draft", "submitted", "returned", "approved", "closed"] as const;
export type ObjectiveState = (typeof OBJECTIVE_STATES)[number];
export const OBJECTIVE_KINDS = ["committed", "aspirational"] as const;
export type ObjectiveKind = (typeof OBJECTIVE_KINDS)[number];

export type OwnerKind = "team" | "person";
export interface Owner {
  kind: OwnerKind;
  id: string;
}

export type ObjectiveAction = "submit" | "approve" | "return" | "close";

const TARGET: Record<ObjectiveAction, ObjectiveState> = {
  submit: "submitted",
  approve: "approved",
  return: "returned",
  close: "closed",
};

/** Which states each action may start from: draft -> submitted -> approved (or returned) -> closed. */
const ALLOWED_FROM: Record<ObjectiveAction, readonly ObjectiveState[]> = {
  submit: ["draft", "returned"],
  approve: ["submitted"],
  // An approved objective can be handed back too (the only way to change a committed objective).
  return: ["submitted", "approved"],
  close: ["draft", "submitted", "returned", "approved"],
};

export type Transition =
  | { kind: "move"; from: ObjectiveState; to: ObjectiveState }
  /** Asking for the state the objective is already in (a retried approve or close) changes nothing. */
  | { kind: "unchanged"; state: ObjectiveState }
  | { kind: "rejected"; violation: RuleViolation };

export function transition(state: ObjectiveState, action: ObjectiveAction, reason?: string): Transition {
  const to = TARGET[action];
  if (state === to && action !== "return") return { kind: "unchanged", state };
  if (!ALLOWED_FROM[action].includes(state))
    return {
      kind: "rejected",
      violation: {
        code: "invalid-state-transition",
        message: `cannot ${action} an objective that is ${state}; ${action} applies to ${ALLOWED_FROM[action].join(" or ")} objectives`,
        hint: "objectives move draft -> submitted -> approved (or returned with a reason) -> closed",
      },
    };
  if (action === "return" && !reason?.trim())
    return {
      kind: "rejected",
      violation: {
        code: "return-needs-reason",
        message: "returning an objective needs a reason the owner can act on",
        path: "/reason",
      },
    };
  return { kind: "move", from: state, to };
}

/** The definition of an approved or closed objective is committed: it changes only after it is returned. */
export function checkEditable(state: ObjectiveState): RuleViolation | undefined {
  if (state === "draft" || state === "returned" || state === "submitted") return undefined;
  return {
    code: "objective-not-editable",
    message: `the objective is ${state}; its definition and key results can no longer change`,
    hint:
      state === "approved"
        ? "a leader can return it to its owner with a reason, then it can be edited"
        : undefined,
  };
}

/** The objective count limit per owner per cycle: `max` is checked on create, `min` on submit. */
export function checkObjectiveCountOnCreate(policy: OkrPolicy, existingForOwner: number): Verdict {
  const limit = policy.objectivesPerOwner;
  return enforceCount(limit, existingForOwner + 1, {
    tooMany: {
      code: "too-many-objectives",
      message: `an owner commits to at most ${limit.max} objectives per cycle (this would be ${existingForOwner + 1})`,
      hint: "focus on the few objectives of highest value; merge or drop the rest",
    },
  });
}

export function checkObjectiveCountOnSubmit(policy: OkrPolicy, countForOwner: number): Verdict {
  const limit = policy.objectivesPerOwner;
  return enforceCount(limit, countForOwner, {
    tooFew: {
      code: "too-few-objectives",
      message: `an owner commits to at least ${limit.min} objectives per cycle (this owner has ${countForOwner})`,
      hint: "set the remaining objectives, or take ownership of a key result from the layer above",
    },
    tooMany: {
      code: "too-many-objectives",
      message: `an owner commits to at most ${limit.max} objectives per cycle`,
    },
  });
}
