import type { TreeKeyResult, TreeNode } from "../shared/alignment-tree.ts";

/**
 * What the OKR tree is narrowed to. Text, team and person may be met by the objective or by one of its
 * key results (a key result has its own title and owner); state, kind and risk are the objective's.
 */
export interface TreeCriteria {
  /** Part of a title (or an objective's description), any case; blank for any. */
  text: string;
  /** Owned by this team; null for any. */
  teamId: string | null;
  /** Owned by this person; null for anyone. */
  personId: string | null;
  /** The objective's state (draft, submitted, …); null for any. */
  state: string | null;
  /** Committed or aspirational; null for both. */
  kind: string | null;
  /** Only objectives flagged at risk. */
  atRisk: boolean;
}

export const NO_CRITERIA: TreeCriteria = {
  text: "",
  teamId: null,
  personId: null,
  state: null,
  kind: null,
  atRisk: false,
};

export const isUnfiltered = (criteria: TreeCriteria): boolean =>
  !criteria.text.trim() &&
  criteria.teamId === null &&
  criteria.personId === null &&
  criteria.state === null &&
  criteria.kind === null &&
  !criteria.atRisk;

export interface FilteredTree {
  roots: TreeNode[];
  /** Objectives that match themselves or through one of their key results (not those kept as a path). */
  matches: number;
}

type Owner = { kind: string; id: string };
/** One test of the objective-or-key-result kind: the objective passes it, or a key result does. */
type Test = { objective: (node: TreeNode) => boolean; keyResult: (kr: TreeKeyResult) => boolean };

function testsOf(criteria: TreeCriteria): Test[] {
  const tests: Test[] = [];
  const needle = criteria.text.trim().toLowerCase();
  if (needle) {
    const has = (value: string) => value.toLowerCase().includes(needle);
    tests.push({
      objective: (node) => has(node.title) || has(node.description),
      keyResult: (kr) => has(kr.title),
    });
  }
  const owns = (kind: string, id: string | null) => {
    if (id === null) return;
    const is = (owner: Owner) => owner.kind === kind && owner.id === id;
    tests.push({ objective: (node) => is(node.owner), keyResult: (kr) => is(kr.owner) });
  };
  owns("team", criteria.teamId);
  owns("person", criteria.personId);
  return tests;
}

function objectiveOnly(criteria: TreeCriteria): (node: TreeNode) => boolean {
  const state = criteria.state?.toLowerCase();
  return (node) =>
    (state === undefined || node.state.toLowerCase() === state) &&
    (criteria.kind === null || node.kind === criteria.kind) &&
    (!criteria.atRisk || node.atRisk === true);
}

/**
 * The tree pruned to what matches `criteria`, every criterion at once. An objective that matches by
 * itself keeps all its key results; one that matches through some of its key results keeps those; one
 * kept only because something below it matches keeps just the key results on the way, so the path from
 * the root to every match stays visible. Without criteria the tree is returned as it is (the same
 * objects), so the unfiltered page renders as if there were no filter.
 */
export function filterTree(roots: readonly TreeNode[], criteria: TreeCriteria): FilteredTree {
  if (isUnfiltered(criteria)) return { roots: roots as TreeNode[], matches: countObjectives(roots) };
  const tests = testsOf(criteria);
  const qualifies = objectiveOnly(criteria);
  let matches = 0;
  const prune = (nodes: readonly TreeNode[]): TreeNode[] =>
    nodes.flatMap((node) => {
      const children = prune(node.children);
      const all = node.keyResults.map((kr) => ({ ...kr, contributors: prune(kr.contributors) }));
      const ok = qualifies(node);
      const unmet = ok ? tests.filter((test) => !test.objective(node)) : tests;
      if (ok && unmet.length === 0) {
        matches++;
        return [{ ...node, children, keyResults: all }];
      }
      const own = ok ? all.filter((kr) => unmet.every((test) => test.keyResult(kr))) : [];
      if (own.length > 0) matches++;
      const keyResults = all.filter((kr) => own.includes(kr) || kr.contributors.length > 0);
      return keyResults.length > 0 || children.length > 0 ? [{ ...node, children, keyResults }] : [];
    });
  return { roots: prune(roots), matches };
}

function countObjectives(nodes: readonly TreeNode[]): number {
  return nodes.reduce(
    (sum, node) =>
      sum +
      1 +
      countObjectives(node.children) +
      node.keyResults.reduce((krs, kr) => krs + countObjectives(kr.contributors), 0),
    0,
  );
}

/** The teams and people that own an objective or a key result of the tree: what the filters offer. */
export function ownersOf(roots: readonly TreeNode[]): { teamIds: string[]; personIds: string[] } {
  const teams = new Set<string>();
  const people = new Set<string>();
  const add = (owner: Owner) => {
    if (owner.kind === "team") teams.add(owner.id);
    else if (owner.kind === "person") people.add(owner.id);
  };
  const walk = (nodes: readonly TreeNode[]) => {
    for (const node of nodes) {
      add(node.owner);
      for (const kr of node.keyResults) {
        add(kr.owner);
        walk(kr.contributors);
      }
      walk(node.children);
    }
  };
  walk(roots);
  return { teamIds: [...teams], personIds: [...people] };
}

/** The query parameters a filtered tree's address carries, so a link shows the same tree. */
const PARAM = { text: "q", teamId: "team", personId: "person", state: "state", kind: "kind", atRisk: "risk" };

export function criteriaFromSearch(search: string): TreeCriteria {
  const params = new URLSearchParams(search);
  const value = (name: string) => params.get(name) || null;
  return {
    text: params.get(PARAM.text) ?? "",
    teamId: value(PARAM.teamId),
    personId: value(PARAM.personId),
    state: value(PARAM.state),
    kind: value(PARAM.kind),
    atRisk: params.get(PARAM.atRisk) === "1",
  };
}

/** `?q=…&team=…` for the criteria set ("" for none), in a fixed order so equal filters read alike. */
export function searchOf(criteria: TreeCriteria): string {
  const params = new URLSearchParams();
  if (criteria.text) params.set(PARAM.text, criteria.text);
  for (const key of ["teamId", "personId", "state", "kind"] as const) {
    const value = criteria[key];
    if (value) params.set(PARAM[key], value);
  }
  if (criteria.atRisk) params.set(PARAM.atRisk, "1");
  const search = params.toString();
  return search ? `?${search}` : "";
}
