import { ScoringError } from "./errors.ts";
import type { ScoringPolicy } from "./policy.ts";

/** "Objective aligns to a parent objective" or "objective contributes to a parent's key result". */
export type AlignmentLink =
  | { readonly type: "aligns-to"; readonly objectiveId: string; readonly parentObjectiveId: string }
  | { readonly type: "contributes-to"; readonly objectiveId: string; readonly parentKeyResultId: string };

/** The structure the graph needs; the batch scorer's richer inputs satisfy it. */
export interface AlignmentGraphInput {
  readonly objectives: readonly { readonly id: string; readonly teamId: string }[];
  readonly keyResults: readonly { readonly id: string; readonly objectiveId: string }[];
  readonly links?: readonly AlignmentLink[];
}

/**
 * Indexed, validated, acyclic alignment graph over objectives (compressed adjacency arrays, so every
 * lookup is O(1) and building is linear). Build once with {@link buildAlignmentGraph}; treat as opaque.
 */
export interface AlignmentGraph {
  /** Objective ids by objective index (input order). */
  readonly objectiveIds: readonly string[];
  readonly objectiveIndexById: ReadonlyMap<string, number>;
  /** Team id by objective index. */
  readonly teamIds: readonly string[];
  readonly keyResultIndexById: ReadonlyMap<string, number>;
  /** Owning objective index by key result index. */
  readonly objectiveOfKeyResult: Int32Array;
  /** Key results of objective o: keyResultList[keyResultStart[o] .. keyResultStart[o + 1]). */
  readonly keyResultStart: Int32Array;
  readonly keyResultList: Int32Array;
  /** Distinct parents of objective o: parentList[parentStart[o] .. parentStart[o + 1]). */
  readonly parentStart: Int32Array;
  readonly parentList: Int32Array;
  /** Distinct children of objective o: childList[childStart[o] .. childStart[o + 1]). */
  readonly childStart: Int32Array;
  readonly childList: Int32Array;
  /** Every objective once, each after all of its children. */
  readonly childrenFirst: Int32Array;
  /** Position of each objective in `childrenFirst`. */
  readonly topologicalRank: Int32Array;
}

/** What a changed key result forces to be recomputed. */
export interface RecomputeScope {
  readonly keyResultId: string;
  /** Objectives whose score may change, each after its children (recompute in this order). */
  readonly objectiveIds: readonly string[];
  /** Teams owning those objectives, sorted. */
  readonly teamIds: readonly string[];
  /** Whether the organization score may change. */
  readonly organization: boolean;
}

/**
 * Validates ids and links and indexes the graph in linear time. Duplicate links between the same
 * child and parent collapse into one edge; a cycle throws a ScoringError naming it.
 */
export function buildAlignmentGraph(input: AlignmentGraphInput): AlignmentGraph {
  const { objectives, keyResults } = input;
  const links = input.links ?? [];
  const objectiveCount = objectives.length;

  const objectiveIds: string[] = new Array(objectiveCount);
  const teamIds: string[] = new Array(objectiveCount);
  const objectiveIndexById = new Map<string, number>();
  for (let o = 0; o < objectiveCount; o++) {
    const { id, teamId } = objectives[o]!;
    if (typeof id !== "string" || id === "") throw graphError(`Objective at position ${o} has no id.`);
    if (objectiveIndexById.has(id)) throw graphError(`Objective id "${id}" appears twice.`);
    if (typeof teamId !== "string" || teamId === "") throw graphError(`Objective "${id}" has no teamId.`);
    objectiveIndexById.set(id, o);
    objectiveIds[o] = id;
    teamIds[o] = teamId;
  }

  const objectiveOfKeyResult = new Int32Array(keyResults.length);
  const keyResultIndexById = new Map<string, number>();
  for (let k = 0; k < keyResults.length; k++) {
    const { id, objectiveId } = keyResults[k]!;
    if (typeof id !== "string" || id === "") throw graphError(`Key result at position ${k} has no id.`);
    if (keyResultIndexById.has(id)) throw graphError(`Key result id "${id}" appears twice.`);
    const owner = objectiveIndexById.get(objectiveId);
    if (owner === undefined)
      throw graphError(`Key result "${id}" belongs to unknown objective "${objectiveId}".`);
    keyResultIndexById.set(id, k);
    objectiveOfKeyResult[k] = owner;
  }
  const keyResults_ = groupIndices(objectiveCount, objectiveOfKeyResult);

  const edgeChild = new Int32Array(links.length);
  const edgeParent = new Int32Array(links.length);
  for (let e = 0; e < links.length; e++) {
    const link = links[e]!;
    const child = objectiveIndexById.get(link.objectiveId);
    if (child === undefined)
      throw graphError(`A ${link.type} link starts at unknown objective "${link.objectiveId}".`);
    edgeChild[e] = child;
    edgeParent[e] = parentOfLink(link, objectiveIndexById, keyResultIndexById, objectiveOfKeyResult);
  }
  const { distinctChild, distinctParent } = dropDuplicateEdges(objectiveCount, edgeChild, edgeParent);
  const parents = groupValues(objectiveCount, distinctChild, distinctParent);
  const children = groupValues(objectiveCount, distinctParent, distinctChild);
  const { childrenFirst, topologicalRank } = orderChildrenFirst(objectiveIds, parents, children);

  return {
    objectiveIds,
    objectiveIndexById,
    teamIds,
    keyResultIndexById,
    objectiveOfKeyResult,
    keyResultStart: keyResults_.start,
    keyResultList: keyResults_.list,
    parentStart: parents.start,
    parentList: parents.list,
    childStart: children.start,
    childList: children.list,
    childrenFirst,
    topologicalRank,
  };
}

/**
 * The objectives, teams and organization flag to recompute after `keyResultId` changed. Under
 * "own-krs-only" only the owning objective moves; under "blend-children" every ancestor does too
 * (each listed once even when reachable along several paths).
 */
export function recomputeScope(
  graph: AlignmentGraph,
  keyResultId: string,
  policy: ScoringPolicy,
): RecomputeScope {
  const keyResult = graph.keyResultIndexById.get(keyResultId);
  if (keyResult === undefined) throw graphError(`Key result "${keyResultId}" is not in the graph.`);
  const owner = graph.objectiveOfKeyResult[keyResult]!;
  const affected = [owner];
  if (policy.rollup.mode === "blend-children") {
    const visited = new Set<number>(affected);
    for (let next = 0; next < affected.length; next++) {
      const o = affected[next]!;
      for (let p = graph.parentStart[o]!; p < graph.parentStart[o + 1]!; p++) {
        const parent = graph.parentList[p]!;
        if (!visited.has(parent)) {
          visited.add(parent);
          affected.push(parent);
        }
      }
    }
    affected.sort((a, b) => graph.topologicalRank[a]! - graph.topologicalRank[b]!);
  }
  const teamIds = [...new Set(affected.map((o) => graph.teamIds[o]!))].sort();
  const organization = affected.some((o) => graph.parentStart[o] === graph.parentStart[o + 1]);
  return { keyResultId, objectiveIds: affected.map((o) => graph.objectiveIds[o]!), teamIds, organization };
}

function graphError(message: string): ScoringError {
  return new ScoringError("invalid-graph", message);
}

function parentOfLink(
  link: AlignmentLink,
  objectiveIndexById: ReadonlyMap<string, number>,
  keyResultIndexById: ReadonlyMap<string, number>,
  objectiveOfKeyResult: Int32Array,
): number {
  if (link.type === "aligns-to") {
    const parent = objectiveIndexById.get(link.parentObjectiveId);
    if (parent === undefined) {
      throw graphError(
        `Objective "${link.objectiveId}" aligns to unknown objective "${link.parentObjectiveId}".`,
      );
    }
    return parent;
  }
  if (link.type === "contributes-to") {
    const keyResult = keyResultIndexById.get(link.parentKeyResultId);
    if (keyResult === undefined) {
      throw graphError(
        `Objective "${link.objectiveId}" contributes to unknown key result "${link.parentKeyResultId}".`,
      );
    }
    return objectiveOfKeyResult[keyResult]!;
  }
  throw graphError(`Link type "${(link as { type: string }).type}" is neither aligns-to nor contributes-to.`);
}

/** Compressed grouping: items of group g are list[start[g] .. start[g + 1]), in input order. */
interface Grouping {
  readonly start: Int32Array;
  readonly list: Int32Array;
}

/** Groups item indices 0..n-1 by `groupOf[item]` (counting sort, linear). */
function groupIndices(groupCount: number, groupOf: Int32Array): Grouping {
  const items = new Int32Array(groupOf.length);
  for (let i = 0; i < items.length; i++) items[i] = i;
  return groupValues(groupCount, groupOf, items);
}

/** Groups `values[i]` by `groupOf[i]` (counting sort, linear). */
function groupValues(groupCount: number, groupOf: Int32Array, values: Int32Array): Grouping {
  const start = new Int32Array(groupCount + 1);
  for (let i = 0; i < groupOf.length; i++) start[groupOf[i]! + 1]!++;
  for (let g = 0; g < groupCount; g++) start[g + 1]! += start[g]!;
  const cursor = start.slice(0, groupCount);
  const list = new Int32Array(groupOf.length);
  for (let i = 0; i < groupOf.length; i++) list[cursor[groupOf[i]!]!++] = values[i]!;
  return { start, list };
}

/**
 * Keeps one edge per (child, parent) pair, so a child linked to a parent twice (or by both link
 * types) is counted once in that parent. Linear: a per-parent stamp replaces a set of pairs.
 */
function dropDuplicateEdges(objectiveCount: number, edgeChild: Int32Array, edgeParent: Int32Array) {
  const byChild = groupValues(objectiveCount, edgeChild, edgeParent);
  const lastChildSeen = new Int32Array(objectiveCount).fill(-1);
  const distinctChild: number[] = [];
  const distinctParent: number[] = [];
  for (let child = 0; child < objectiveCount; child++) {
    for (let e = byChild.start[child]!; e < byChild.start[child + 1]!; e++) {
      const parent = byChild.list[e]!;
      if (lastChildSeen[parent] === child) continue;
      lastChildSeen[parent] = child;
      distinctChild.push(child);
      distinctParent.push(parent);
    }
  }
  return { distinctChild: Int32Array.from(distinctChild), distinctParent: Int32Array.from(distinctParent) };
}

/** Kahn's algorithm from the leaves up; objectives left over sit on a cycle, which is reported by name. */
function orderChildrenFirst(objectiveIds: readonly string[], parents: Grouping, children: Grouping) {
  const count = objectiveIds.length;
  const pendingChildren = new Int32Array(count);
  const childrenFirst = new Int32Array(count);
  let tail = 0;
  for (let o = 0; o < count; o++) {
    pendingChildren[o] = children.start[o + 1]! - children.start[o]!;
    if (pendingChildren[o] === 0) childrenFirst[tail++] = o;
  }
  for (let head = 0; head < tail; head++) {
    const o = childrenFirst[head]!;
    for (let p = parents.start[o]!; p < parents.start[o + 1]!; p++) {
      const parent = parents.list[p]!;
      if (--pendingChildren[parent]! === 0) childrenFirst[tail++] = parent;
    }
  }
  if (tail < count) throw cycleError(objectiveIds, children, pendingChildren);
  const topologicalRank = new Int32Array(count);
  for (let position = 0; position < count; position++) topologicalRank[childrenFirst[position]!] = position;
  return { childrenFirst, topologicalRank };
}

/** Walks from a stuck objective through stuck children until one repeats: that loop is a cycle. */
function cycleError(
  objectiveIds: readonly string[],
  children: Grouping,
  pendingChildren: Int32Array,
): ScoringError {
  const stuck = (o: number) => pendingChildren[o]! > 0;
  let current = pendingChildren.findIndex((pending) => pending > 0);
  const walk: number[] = [];
  const positionInWalk = new Map<number, number>();
  while (!positionInWalk.has(current)) {
    positionInWalk.set(current, walk.length);
    walk.push(current);
    let next = -1;
    for (let c = children.start[current]!; c < children.start[current + 1]! && next < 0; c++) {
      if (stuck(children.list[c]!)) next = children.list[c]!;
    }
    current = next;
  }
  // The walk goes parent -> child; report it in link direction (child -> parent).
  const loop = walk.slice(positionInWalk.get(current)).reverse();
  const names = [...loop, loop[0]!].map((o) => `"${objectiveIds[o]}"`).join(" -> ");
  return new ScoringError(
    "alignment-cycle",
    `Alignment links form a cycle: ${names} (each aligns to or contributes to the next); remove one link.`,
  );
}
