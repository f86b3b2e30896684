import type { CarryForwardRefusal } from "@okr/cycle-workflows";
import {
  carryForwardKeyResult,
  type EvidenceKind,
  type KeyResultDefinition,
  keyResultMeasure,
  type ObjectiveKind,
  type Owner,
} from "@okr/goals-domain";
import { ApplicationFailure } from "@temporalio/common";
import type { ServiceCaller } from "./http.ts";

/**
 * A key result as the goals API shows it (the fields a carry needs): the domain's definition, with the
 * evidence as goals states it (its kind and what it must show), its id, owner and last value.
 */
export type KeyResultView = Omit<KeyResultDefinition, "evidenceKind"> & {
  id: string;
  owner: Owner;
  evidence: { kind: EvidenceKind; description: string };
  latestValue: number | null;
};

export interface ObjectiveView {
  id: string;
  title: string;
  kind: ObjectiveKind;
  weight: number;
  owner: Owner;
  keyResults: KeyResultView[];
}

/** Answers of the goals API about the carried data itself: a retry cannot change them. */
const REFUSALS = [400, 403, 404, 409, 422];
const DESCRIPTION_LIMIT = 4000;

interface ProblemBody {
  type?: string;
  detail?: string;
  errors?: { message?: string; path?: string }[];
}

/**
 * The body that creates a key result's successor in the next cycle: its whole definition (type, target,
 * band, milestone names, unit, weight, evidence, its own owner) from where it ended, naming the key
 * result it continues.
 */
export function carriedKeyResultBody(kr: KeyResultView, objectiveOwner: Owner) {
  // Only the measure: the view holds more than goals accepts in a key result's body.
  const { evidenceKind, ...definition } = carryForwardKeyResult(
    { ...keyResultMeasure(kr), evidenceKind: kr.evidence.kind },
    kr.latestValue,
  );
  const ownOwner = kr.owner.kind !== objectiveOwner.kind || kr.owner.id !== objectiveOwner.id;
  return {
    ...definition,
    evidence: { kind: evidenceKind, description: kr.evidence.description },
    ...(ownOwner ? { owner: kr.owner } : {}),
    carriedFromKeyResultId: kr.id,
  };
}

/**
 * Drafts an objective's carried key results in the next cycle. The goals API may refuse what the
 * workflow carries (a definition written before a rule existed, a policy changed since): that is an
 * answer, not an outage. The refused key results are left out and named, with goals' reason, in the
 * draft's description for its team; an objective refused even without key results is skipped. Either
 * way the refusal is returned for the cycle report. Each attempt has its own idempotency key, so a
 * retried activity repeats the same attempts and gets the same answers.
 */
export async function carryObjectiveForward(
  goals: ServiceCaller,
  input: {
    organizationId: string;
    workflowId: string;
    nextCycleId: string;
    fromCycleName: string;
    objective: ObjectiveView;
    keyResults: KeyResultView[];
  },
): Promise<{ draftId: string | null; refusal?: CarryForwardRefusal }> {
  const { objective } = input;
  let remaining = input.keyResults;
  const dropped: { title: string; reason: string }[] = [];
  for (let attempt = 0; ; attempt++) {
    const answer = await goals.call<{ id: string } & ProblemBody>(
      input.organizationId,
      "POST",
      "/objectives",
      {
        idempotencyKey: `${input.workflowId}/carry-forward/${objective.id}${attempt === 0 ? "" : `/${attempt}`}`,
        accept: REFUSALS,
        body: {
          cycleId: input.nextCycleId,
          title: objective.title,
          description: describe(input.fromCycleName, dropped),
          kind: objective.kind,
          owner: objective.owner,
          weight: objective.weight,
          keyResults: remaining.map((kr) => carriedKeyResultBody(kr, objective.owner)),
        },
      },
    );
    if (answer.status < 300) {
      const draftId = answer.body.id;
      return dropped.length === 0
        ? { draftId }
        : {
            draftId,
            refusal: {
              objectiveId: objective.id,
              title: objective.title,
              draftObjectiveId: draftId,
              keyResultsLeftOut: dropped,
            },
          };
    }
    const problem = answer.body;
    if (problem.type?.endsWith("/idempotency-key-in-progress"))
      throw ApplicationFailure.retryable(problem.detail ?? "in progress", "ServiceUnavailable");
    const reason = problem.detail ?? `answered ${answer.status}`;
    const refused = refusedKeyResults(problem, remaining.length);
    if (refused.size > 0) {
      remaining.forEach((kr, index) => {
        const why = refused.get(index);
        if (why !== undefined) dropped.push({ title: kr.title, reason: why });
      });
      remaining = remaining.filter((_, index) => !refused.has(index));
    } else if (remaining.length > 0) {
      for (const kr of remaining)
        dropped.push({ title: kr.title, reason: `refused together with the objective: ${reason}` });
      remaining = [];
    } else {
      return {
        draftId: null,
        refusal: {
          objectiveId: objective.id,
          title: objective.title,
          draftObjectiveId: null,
          keyResultsLeftOut: dropped,
          reason,
        },
      };
    }
  }
}

/** The key results a problem points at (`/keyResults/<index>/...`), with what it says about each. */
function refusedKeyResults(problem: ProblemBody, count: number): Map<number, string> {
  const refused = new Map<number, string>();
  for (const error of problem.errors ?? []) {
    const match = /^\/keyResults\/(\d+)(?:\/|$)/.exec(error.path ?? "");
    const index = match ? Number(match[1]) : -1;
    if (index < 0 || index >= count) continue;
    const message = error.message ?? problem.detail ?? "refused";
    refused.set(index, refused.has(index) ? `${refused.get(index)}; ${message}` : message);
  }
  return refused;
}

function describe(fromCycleName: string, dropped: { title: string; reason: string }[]): string {
  const carried = `Carried forward from ${fromCycleName}.`;
  if (dropped.length === 0) return carried;
  const lines = dropped.map(({ title, reason }) => `- "${title}": ${reason}`);
  const text = `${carried}\n\nThe goals service refused ${dropped.length === 1 ? "this carried key result" : "these carried key results"}; define ${dropped.length === 1 ? "it" : "them"} again here:\n${lines.join("\n")}`;
  return text.length <= DESCRIPTION_LIMIT ? text : `${text.slice(0, DESCRIPTION_LIMIT - 1)}…`;
}
