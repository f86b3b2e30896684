import type { KeyResultSchema, ObjectiveSchema } from "@okr/goals-service/views";
import type { Static } from "typebox";

/**
 * Goals' GET /cycles/{id}/alignment-tree as both halves of the web app read it: the pages show it, the
 * server exports it as CSV. Pure, so the browser bundle can carry it.
 */
export type TreeKeyResult = Static<typeof KeyResultSchema> & { contributors: TreeNode[] };
/** A node of the tree: an objective with what aligns to it and what contributes to its key results. */
export type TreeNode = Omit<Static<typeof ObjectiveSchema>, "keyResults"> & {
  keyResults: TreeKeyResult[];
  children: TreeNode[];
};
export interface AlignmentTree {
  cycleId: string;
  cycleName: string;
  mission: string | null;
  objectiveCount: number;
  roots: TreeNode[];
}

/** Every objective of the tree once, each before what aligns or contributes to it. */
export function objectivesOf(roots: readonly TreeNode[]): TreeNode[] {
  return roots.flatMap((node) => [
    node,
    ...objectivesOf(node.keyResults.flatMap((kr) => kr.contributors)),
    ...objectivesOf(node.children),
  ]);
}
