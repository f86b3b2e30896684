import type { RuleViolation } from "./rules.ts";

/** What alignment needs to know of an objective: where it lives and what it points to. */
export interface AlignmentNode {
  id: string;
  tenantId: string;
  cycleId: string;
  alignedToObjectiveId: string | null;
  /** The key result this objective contributes to, resolved to that KR's objective. */
  contributesToObjectiveId: string | null;
}

export type AlignmentTarget =
  | { kind: "none" }
  | { kind: "objective"; objective: AlignmentNode }
  | { kind: "key-result"; keyResultId: string; objective: AlignmentNode };

/** The parent an objective hangs under in the cascade (an objective, or the objective of a KR it contributes to). */
export const parentOf = (node: AlignmentNode) => node.alignedToObjectiveId ?? node.contributesToObjectiveId;

/**
 * Alignment never crosses tenants, never points into another cycle, and never forms a loop:
 * walking up from the new parent must not reach the objective being aligned.
 * `lookup` finds objectives by id (the caller's tenant-scoped view of its cycle).
 */
export function checkAlignment(
  child: Pick<AlignmentNode, "id" | "tenantId" | "cycleId">,
  target: AlignmentTarget,
  lookup: (id: string) => AlignmentNode | undefined,
): RuleViolation | undefined {
  if (target.kind === "none") return undefined;
  const parent = target.objective;
  const path = target.kind === "objective" ? "/alignedToObjectiveId" : "/contributesToKeyResultId";
  if (parent.tenantId !== child.tenantId)
    return {
      code: "alignment-cross-tenant",
      message: "alignment cannot point into another organization",
      path,
    };
  if (parent.cycleId !== child.cycleId)
    return {
      code: "alignment-cross-cycle",
      message: `alignment must stay inside the objective's cycle (${child.cycleId}); the target belongs to cycle ${parent.cycleId}`,
      hint: "to build on last cycle's work, carry its key result forward into this cycle",
      path,
    };
  if (parent.id === child.id)
    return {
      code: "alignment-cycle",
      message:
        target.kind === "objective"
          ? "an objective cannot align to itself"
          : "an objective cannot contribute to one of its own key results",
      path,
    };
  const seen = new Set<string>([parent.id]);
  let current: AlignmentNode | undefined = parent;
  while (current) {
    const next = parentOf(current);
    if (!next) return undefined;
    if (next === child.id)
      return {
        code: "alignment-cycle",
        message: `objective ${parent.id} already sits below objective ${child.id}; aligning to it would form a loop`,
        path,
      };
    if (seen.has(next)) return undefined; // an existing loop elsewhere is not this write's doing
    seen.add(next);
    current = lookup(next);
  }
  return undefined;
}

export interface TreeObjective {
  id: string;
  alignedToObjectiveId: string | null;
  contributesToKeyResultId: string | null;
  keyResults: { id: string }[];
}

export type TreeNode<O extends TreeObjective> = Omit<O, "keyResults"> & {
  keyResults: (O["keyResults"][number] & { contributors: TreeNode<O>[] })[];
  /** Objectives aligned directly to this one. */
  children: TreeNode<O>[];
};

/**
 * The whole cascade of a cycle as a forest: roots are objectives aligned to nothing but the mission;
 * an objective that contributes to a KR hangs under that KR, one that aligns to an objective under it.
 * A link to an objective missing from the set makes the linking objective a root (nothing is dropped).
 */
export function buildAlignmentTree<O extends TreeObjective>(objectives: readonly O[]): TreeNode<O>[] {
  const nodes = new Map<string, TreeNode<O>>();
  const keyResultSlots = new Map<string, TreeNode<O>[]>();
  for (const objective of objectives) {
    const keyResults = objective.keyResults.map((kr) => {
      const contributors: TreeNode<O>[] = [];
      keyResultSlots.set(kr.id, contributors);
      return { ...kr, contributors };
    });
    nodes.set(objective.id, { ...objective, keyResults, children: [] } as TreeNode<O>);
  }
  const roots: TreeNode<O>[] = [];
  for (const objective of objectives) {
    const node = nodes.get(objective.id) as TreeNode<O>;
    const parentNode = objective.alignedToObjectiveId ? nodes.get(objective.alignedToObjectiveId) : undefined;
    const slot = objective.contributesToKeyResultId
      ? keyResultSlots.get(objective.contributesToKeyResultId)
      : undefined;
    if (parentNode && parentNode !== node) parentNode.children.push(node);
    else if (slot && !objective.keyResults.some((kr) => kr.id === objective.contributesToKeyResultId))
      slot.push(node);
    else roots.push(node);
  }
  return roots;
}
