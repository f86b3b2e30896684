import { useQuery } from "@tanstack/react-query";
import { useDeferredValue, useId, useState } from "react";
import { type AlignmentTree, api, type TreeNode } from "../api.ts";
import { AtRisk, KeyResultFacts, ScoreChip } from "../components/score.tsx";
import { Empty, Loaded } from "../components/states.tsx";
import { OwnerTeamLink } from "../components/team-link.tsx";
import { Link } from "../router.tsx";

/**
 * The tree pruned to what contains `text`: an objective whose title or description matches keeps all its
 * key results; one kept only because something below it matches keeps just the key results on the way.
 */
export function filterTree(nodes: readonly TreeNode[], text: string): TreeNode[] {
  const needle = text.trim().toLowerCase();
  if (!needle) return [...nodes];
  const has = (value: string) => value.toLowerCase().includes(needle);
  return nodes.flatMap((node) => {
    const children = filterTree(node.children, text);
    const all = node.keyResults.map((kr) => ({ ...kr, contributors: filterTree(kr.contributors, text) }));
    if (has(node.title) || has(node.description)) return [{ ...node, children, keyResults: all }];
    const keyResults = all.filter((kr) => has(kr.title) || kr.contributors.length > 0);
    return keyResults.length > 0 || children.length > 0 ? [{ ...node, children, keyResults }] : [];
  });
}

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

function ObjectiveNode({ node }: { node: TreeNode }) {
  const headingId = useId();
  return (
    <li className="objective">
      <article aria-labelledby={headingId}>
        <header className="objective-head">
          <h3 id={headingId}>{node.title}</h3>
          <div className="chips">
            <OwnerTeamLink owner={node.owner} cycleId={node.cycleId} />
            <span className={`chip kind-${node.kind}`}>{node.kind}</span>
            <span className="chip">{node.state.toLowerCase()}</span>
            <ScoreChip score={node.score} band={node.band} />
            <AtRisk atRisk={node.atRisk} />
          </div>
        </header>
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
      </article>
    </li>
  );
}

export function CycleTreePage({ cycleId }: { cycleId: string }) {
  const tree = useQuery({
    queryKey: ["alignment-tree", cycleId],
    queryFn: () => api.get<AlignmentTree>(`/cycles/${encodeURIComponent(cycleId)}/alignment-tree`),
  });
  const [text, setText] = useState("");
  const deferred = useDeferredValue(text);
  return (
    <Loaded query={tree} what="the OKR tree">
      {(data) => {
        const shown = filterTree(data.roots, deferred);
        return (
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
            <div className="filter">
              <label htmlFor="tree-filter">Filter objectives and key results</label>
              <input
                id="tree-filter"
                type="search"
                value={text}
                onChange={(event) => setText(event.target.value)}
                placeholder="Type part of a title"
              />
            </div>
            <h2 className="visually-hidden">Objectives</h2>
            {data.objectiveCount === 0 ? (
              <Empty>No objectives in this cycle yet.</Empty>
            ) : shown.length === 0 ? (
              <Empty>No objective or key result matches “{deferred}”.</Empty>
            ) : (
              <ul className="tree root">
                {shown.map((node) => (
                  <ObjectiveNode key={node.id} node={node} />
                ))}
              </ul>
            )}
          </section>
        );
      }}
    </Loaded>
  );
}
