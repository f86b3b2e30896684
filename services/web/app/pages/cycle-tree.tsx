import { useQuery } from "@tanstack/react-query";
import { memo, useCallback, useDeferredValue, useMemo } from "react";
import { type AlignmentTree, api, type TreeNode } from "../api.ts";
import { ObjectiveItem } from "../components/objective-parts.tsx";
import { AtRisk, KeyResultFacts, ScoreChip } from "../components/score.tsx";
import { Empty, Loaded } from "../components/states.tsx";
import { OwnerTeamLink } from "../components/team-link.tsx";
import { TreeFilters } from "../components/tree-filters.tsx";
import { Link, useSearch } from "../router.tsx";
import { criteriaFromSearch, filterTree, ownersOf, searchOf, type TreeCriteria } from "../tree-filter.ts";

/** Objectives under an objective (aligned to it) or under one of its key results (contributing to it). */
function Subtree({ nodes, label }: { nodes: TreeNode[]; label: string }) {
  if (nodes.length === 0) return null;
  return (
    <ul className="tree" aria-label={label}>
      {nodes.map((child) => (
        <ObjectiveNode key={child.id} node={child} />
      ))}
    </ul>
  );
}

// Memoised: typing in a filter re-renders the page, and an unfiltered tree's nodes stay the same objects.
const ObjectiveNode = memo(function ObjectiveNode({ node }: { node: TreeNode }) {
  return (
    <ObjectiveItem
      title={node.title}
      heading="h3"
      chips={
        <>
          <OwnerTeamLink owner={node.owner} cycleId={node.cycleId} />
          <span className={`chip kind-${node.kind}`}>{node.kind}</span>
          <span className="chip">{node.state.toLowerCase()}</span>
          <ScoreChip score={node.score} band={node.band} />
          <AtRisk atRisk={node.atRisk} />
        </>
      }
    >
      {node.keyResults.length === 0 ? (
        <p className="muted">No key results yet.</p>
      ) : (
        <ul className="key-results">
          {node.keyResults.map((kr) => (
            <li key={kr.id}>
              <Link to={`/key-results/${kr.id}`}>{kr.title}</Link>
              <KeyResultFacts kr={kr} />
              <Subtree nodes={kr.contributors} label={`Objectives contributing to ${kr.title}`} />
            </li>
          ))}
        </ul>
      )}
      <Subtree nodes={node.children} label={`Objectives aligned to ${node.title}`} />
    </ObjectiveItem>
  );
});

/** The tree with its filters; what is shown follows the filters a moment behind the typing. */
function FilteredTree({
  data,
  criteria,
  onChange,
}: {
  data: AlignmentTree;
  criteria: TreeCriteria;
  onChange: (change: Partial<TreeCriteria>) => void;
}) {
  const deferred = useDeferredValue(criteria);
  const owners = useMemo(() => ownersOf(data.roots), [data.roots]);
  const shown = useMemo(() => filterTree(data.roots, deferred), [data.roots, deferred]);
  return (
    <>
      <TreeFilters
        criteria={criteria}
        owners={owners}
        onChange={onChange}
        matches={shown.matches}
        total={data.objectiveCount}
      />
      <h2 className="visually-hidden">Objectives</h2>
      {data.objectiveCount === 0 ? (
        <Empty>No objectives in this cycle yet.</Empty>
      ) : shown.roots.length === 0 ? (
        <Empty>No objective or key result matches these filters.</Empty>
      ) : (
        <ul className="tree root">
          {shown.roots.map((node) => (
            <ObjectiveNode key={node.id} node={node} />
          ))}
        </ul>
      )}
    </>
  );
}

export function CycleTreePage({ cycleId }: { cycleId: string }) {
  const tree = useQuery({
    queryKey: ["alignment-tree", cycleId],
    queryFn: () => api.get<AlignmentTree>(`/cycles/${encodeURIComponent(cycleId)}/alignment-tree`),
  });
  // The filters live in the address, so a filtered tree can be shared, bookmarked and come back to.
  const [search, setSearch] = useSearch();
  const criteria = useMemo(() => criteriaFromSearch(search), [search]);
  const change = useCallback(
    (next: Partial<TreeCriteria>) => setSearch(searchOf({ ...criteria, ...next })),
    [criteria, setSearch],
  );
  return (
    <Loaded query={tree} what="the OKR tree">
      {(data) => (
        <section aria-labelledby="tree-title">
          <h1 id="tree-title">{data.cycleName}</h1>
          <p className="page-links">
            <Link to={`/cycles/${data.cycleId}/run`}>Cycle run</Link>
            <Link to={`/cycles/${data.cycleId}/report`}>The quarter's report</Link>
          </p>
          {data.mission && (
            <p className="mission">
              <span className="muted">Mission: </span>
              {data.mission}
            </p>
          )}
          <FilteredTree data={data} criteria={criteria} onChange={change} />
        </section>
      )}
    </Loaded>
  );
}
