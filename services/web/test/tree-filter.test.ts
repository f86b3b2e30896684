import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  criteriaFromSearch,
  filterTree,
  NO_CRITERIA,
  ownersOf,
  searchOf,
  type TreeCriteria,
} from "../app/tree-filter.ts";
import { objectivesOf, type TreeKeyResult, type TreeNode } from "../shared/alignment-tree.ts";

const TEAMS = ["lending", "underwriting"];
const PEOPLE = ["ada", "sam"];
const STATES = ["draft", "submitted", "approved"];
const KINDS = ["committed", "aspirational"];
const WORDS = ["Cut lead time", "Automate underwriting", "Raise offers", "Decide faster"];

type Owner = { kind: string; id: string };
const team = (id: string): Owner => ({ kind: "team", id });
const person = (id: string): Owner => ({ kind: "person", id });

/** Only the fields the filter reads; the rest of an objective does not enter it. */
const kr = (id: string, title: string, owner: Owner, contributors: TreeNode[] = []) =>
  ({ id, title, owner, contributors }) as unknown as TreeKeyResult;
const objective = (
  id: string,
  fields: Partial<{
    title: string;
    owner: Owner;
    state: string;
    kind: string;
    atRisk: boolean | null;
    keyResults: TreeKeyResult[];
    children: TreeNode[];
  }> = {},
) =>
  ({
    id,
    title: id,
    description: "",
    owner: team("lending"),
    state: "approved",
    kind: "committed",
    atRisk: null,
    keyResults: [],
    children: [],
    ...fields,
  }) as unknown as TreeNode;

const criteria = (fields: Partial<TreeCriteria>): TreeCriteria => ({ ...NO_CRITERIA, ...fields });
const titles = (nodes: readonly TreeNode[]) => objectivesOf(nodes).map((node) => node.title);

describe("filtering the OKR tree", () => {
  // Lending's objective, Underwriting's aligned under it, and Sam's contributing to Lending's first key result.
  const roots = [
    objective("Decide mortgages faster", {
      keyResults: [
        kr("k1", "Cut approval lead time", team("lending"), [
          objective("Sam's checks", {
            owner: person("sam"),
            state: "draft",
            keyResults: [kr("k3", "Twelve checks", person("sam"))],
          }),
        ]),
        kr("k2", "Raise first-time-right offers", person("ada")),
      ],
      children: [
        objective("Automate underwriting checks", {
          owner: team("underwriting"),
          kind: "aspirational",
          atRisk: true,
          keyResults: [kr("k4", "Automated checks", team("underwriting"))],
        }),
      ],
    }),
  ];

  it("keeps a team's objectives and the objectives above them, counting only the team's", () => {
    const shown = filterTree(roots, criteria({ teamId: "underwriting" }));
    expect(titles(shown.roots)).toEqual(["Decide mortgages faster", "Automate underwriting checks"]);
    expect(shown.matches).toBe(1);
    // Lending's objective is only the way down: none of its key results is on that way.
    expect(shown.roots[0]?.keyResults).toEqual([]);
  });

  it("keeps a person's objectives and the objectives whose key results they own, with just those", () => {
    const shown = filterTree(roots, criteria({ personId: "ada" }));
    expect(titles(shown.roots)).toEqual(["Decide mortgages faster"]);
    expect(shown.roots[0]?.keyResults.map((k) => k.title)).toEqual(["Raise first-time-right offers"]);
    expect(shown.matches).toBe(1);

    const sam = filterTree(roots, criteria({ personId: "sam" }));
    expect(titles(sam.roots)).toEqual(["Decide mortgages faster", "Sam's checks"]);
    // The key result Sam's objective contributes to is the path to it.
    expect(sam.roots[0]?.keyResults.map((k) => k.title)).toEqual(["Cut approval lead time"]);
    expect(sam.matches).toBe(1);
  });

  it("asks state, kind and risk of the objective itself", () => {
    expect(titles(filterTree(roots, criteria({ state: "draft" })).roots)).toEqual([
      "Decide mortgages faster",
      "Sam's checks",
    ]);
    expect(titles(filterTree(roots, criteria({ kind: "aspirational" })).roots)).toEqual([
      "Decide mortgages faster",
      "Automate underwriting checks",
    ]);
    const atRisk = filterTree(roots, criteria({ atRisk: true }));
    expect(titles(atRisk.roots)).toEqual(["Decide mortgages faster", "Automate underwriting checks"]);
    expect(atRisk.matches).toBe(1);
  });

  it("combines every criterion: a key result must meet what its objective does not", () => {
    // Lending's objective is approved and its second key result is Ada's and mentions offers.
    const both = filterTree(roots, criteria({ personId: "ada", text: "offers", state: "approved" }));
    expect(titles(both.roots)).toEqual(["Decide mortgages faster"]);
    expect(both.matches).toBe(1);
    // Ada owns no key result about lead time, and no objective of Ada's mentions it.
    expect(filterTree(roots, criteria({ personId: "ada", text: "lead time" }))).toEqual({
      roots: [],
      matches: 0,
    });
    // The draft is Sam's, not Underwriting's.
    expect(filterTree(roots, criteria({ teamId: "underwriting", state: "draft" })).matches).toBe(0);
  });

  it("finds text in any case, ignoring the spaces around it, in titles and descriptions", () => {
    const shown = filterTree(roots, criteria({ text: "  UNDERWRITING " }));
    expect(titles(shown.roots)).toEqual(["Decide mortgages faster", "Automate underwriting checks"]);
  });

  it("names the teams and people that own an objective or a key result, once each", () => {
    expect(ownersOf(roots)).toEqual({ teamIds: ["lending", "underwriting"], personIds: ["sam", "ada"] });
  });

  it("reads back from the address what it wrote there, and writes nothing for no filter", () => {
    const set = criteria({
      text: "lead time & more",
      teamId: "t1",
      personId: "p1",
      state: "draft",
      atRisk: true,
    });
    expect(searchOf(set)).toBe("?q=lead+time+%26+more&team=t1&person=p1&state=draft&risk=1");
    expect(criteriaFromSearch(searchOf(set))).toEqual(set);
    expect(searchOf(NO_CRITERIA)).toBe("");
    expect(criteriaFromSearch("")).toEqual(NO_CRITERIA);
    // A hand-edited address with empty values means no filter on them.
    expect(criteriaFromSearch("?team=&state=&risk=yes")).toEqual(NO_CRITERIA);
  });
});

/** Objectives from small pools of owners, states and titles, so that filters meet something. */
const ownerArb = fc.oneof(fc.constantFrom(...TEAMS).map(team), fc.constantFrom(...PEOPLE).map(person));
const treeArb = fc
  .letrec<{ node: TreeNode; nodes: TreeNode[] }>((tie) => ({
    nodes: fc.array(tie("node"), { maxLength: 3 }),
    node: fc
      .record({
        title: fc.constantFrom(...WORDS),
        owner: ownerArb,
        state: fc.constantFrom(...STATES),
        kind: fc.constantFrom(...KINDS),
        atRisk: fc.constantFrom(true, false, null),
        keyResults: fc.array(
          fc.record({
            title: fc.constantFrom(...WORDS),
            owner: ownerArb,
            contributors: fc.oneof({ depthSize: "small" }, fc.constant([]), tie("nodes")),
          }),
          { maxLength: 3 },
        ),
        children: fc.oneof({ depthSize: "small" }, fc.constant([]), tie("nodes")),
      })
      .map((fields) => fields as unknown as TreeNode),
  }))
  .nodes.map(numbered);

/** Gives every objective and key result its own id, in tree order. */
function numbered(nodes: TreeNode[]): TreeNode[] {
  let next = 0;
  const walk = (list: TreeNode[]): TreeNode[] =>
    list.map((node) => ({
      ...node,
      id: `o${next++}`,
      description: "",
      keyResults: node.keyResults.map((k) => ({
        ...k,
        id: `k${next++}`,
        contributors: walk(k.contributors),
      })),
      children: walk(node.children),
    }));
  return walk(nodes);
}

const criteriaArb = fc.record({
  text: fc.constantFrom("", "lead", "UNDERWRITING", "offers", "nothing like it"),
  teamId: fc.constantFrom(null, ...TEAMS),
  personId: fc.constantFrom(null, ...PEOPLE),
  state: fc.constantFrom(null, ...STATES),
  kind: fc.constantFrom(null, ...KINDS),
  atRisk: fc.boolean(),
});

/**
 * The rule stated on its own: the objective is in the state, kind and risk asked for, and each of
 * text, team and person is met by the objective or, all together, by one of its key results.
 */
function matches(node: TreeNode, c: TreeCriteria): boolean {
  if ((c.state && node.state !== c.state) || (c.kind && node.kind !== c.kind) || (c.atRisk && !node.atRisk))
    return false;
  const needle = c.text.trim().toLowerCase();
  const about = (title: string) => !needle || title.toLowerCase().includes(needle);
  const owned = (owner: Owner, kind: string, id: string | null) =>
    id === null || (owner.kind === kind && owner.id === id);
  const meets = (title: string, owner: Owner) => [
    about(title),
    owned(owner, "team", c.teamId),
    owned(owner, "person", c.personId),
  ];
  const self = meets(node.title, node.owner);
  return (
    self.every(Boolean) ||
    node.keyResults.some((k) => meets(k.title, k.owner).every((ok, i) => ok || self[i]))
  );
}

const below = (node: TreeNode) => [
  ...objectivesOf(node.children),
  ...objectivesOf(node.keyResults.flatMap((k) => k.contributors)),
];

describe("filtering any tree", () => {
  it("with no criteria, is the tree itself and counts every objective", () => {
    fc.assert(
      fc.property(treeArb, (roots) => {
        const shown = filterTree(roots, NO_CRITERIA);
        expect(shown.roots).toBe(roots);
        expect(shown.matches).toBe(objectivesOf(roots).length);
      }),
    );
  });

  it("keeps exactly the matching objectives and the ones above them, and counts the matches", () => {
    fc.assert(
      fc.property(treeArb, criteriaArb, (roots, c) => {
        const shown = filterTree(roots, c);
        const all = objectivesOf(roots);
        const kept = new Set(objectivesOf(shown.roots).map((node) => node.id));
        for (const node of all) {
          const shouldStay = matches(node, c) || below(node).some((under) => matches(under, c));
          expect(kept.has(node.id), node.id).toBe(shouldStay);
        }
        expect(shown.matches).toBe(all.filter((node) => matches(node, c)).length);
      }),
    );
  });

  it("changes no objective or key result it keeps, only which of them are under it", () => {
    fc.assert(
      fc.property(treeArb, criteriaArb, (roots, c) => {
        const byId = new Map(objectivesOf(roots).map((node) => [node.id, node]));
        for (const node of objectivesOf(filterTree(roots, c).roots)) {
          const { children, keyResults, ...fields } = byId.get(node.id) as TreeNode;
          expect(node).toMatchObject(fields);
          const krIds = keyResults.map((k) => k.id);
          expect(node.keyResults.every((k) => krIds.includes(k.id))).toBe(true);
        }
      }),
    );
  });

  it("gives the same tree when filtered again by the same criteria", () => {
    fc.assert(
      fc.property(treeArb, criteriaArb, (roots, c) => {
        const once = filterTree(roots, c);
        const twice = filterTree(once.roots, c);
        expect(twice).toEqual(once);
      }),
    );
  });

  it("keeps its criteria in the address", () => {
    fc.assert(
      fc.property(criteriaArb, (c) => {
        expect(criteriaFromSearch(searchOf(c))).toEqual(c);
      }),
    );
  });
});
