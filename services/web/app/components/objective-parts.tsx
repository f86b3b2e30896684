import { Fragment, type ReactNode, useId } from "react";
import type { Objective } from "../api.ts";
import { useObjectives } from "../queries.ts";
import { aim } from "./score.tsx";
import { Empty } from "./states.tsx";

/** An objective's key results, each with what it aims at, as the team and its approver read them. */
export function KeyResultAims({ objective }: { objective: Objective }) {
  if (objective.keyResults.length === 0) return <p className="muted">No key results yet.</p>;
  return (
    <ul className="key-results">
      {objective.keyResults.map((kr) => (
        <li key={kr.id}>
          {kr.title} <span className="muted">({aim(kr)})</span>
        </li>
      ))}
    </ul>
  );
}

/** Where an objective hangs in the cascade, named by the titles above it (one line under its heading). */
export function AlignmentNote({ objective }: { objective: Objective }) {
  const all = useObjectives(objective.cycleId);
  if (!objective.alignedToObjectiveId && !objective.contributesToKeyResultId)
    return <p className="muted">Top-level: aligned to nothing above it.</p>;
  if (!all.data) return null;
  const parent = all.data.find((o) => o.id === objective.alignedToObjectiveId);
  if (parent) return <p className="muted">Serves “{parent.title}”.</p>;
  for (const o of all.data) {
    const kr = o.keyResults.find((k) => k.id === objective.contributesToKeyResultId);
    if (kr)
      return (
        <p className="muted">
          Takes ownership of “{kr.title}” (of “{o.title}”).
        </p>
      );
  }
  return null;
}

/**
 * An objective as an item of a list: an article named by its heading (`h2` on a page of cards, `h3` in the
 * tree under the page's own heading), its chips beside the heading, then the rest (`children`).
 */
export function ObjectiveItem({
  title,
  heading: Heading,
  chips,
  children,
}: {
  title: string;
  heading: "h2" | "h3";
  chips: ReactNode;
  children: ReactNode;
}) {
  const headingId = useId();
  return (
    <li className="objective">
      <article aria-labelledby={headingId}>
        <header className="objective-head">
          <Heading id={headingId}>{title}</Heading>
          <div className="chips">{chips}</div>
        </header>
        {children}
      </article>
    </li>
  );
}

/** An objective as a card of a list: heading, kind (and state), where it aligns, its key results, then `children`. */
export function ObjectiveCard({
  objective,
  showState,
  children,
}: {
  objective: Objective;
  showState: boolean;
  children: ReactNode;
}) {
  return (
    <ObjectiveItem
      title={objective.title}
      heading="h2"
      chips={
        <>
          <span className={`chip kind-${objective.kind}`}>{objective.kind}</span>
          {showState && <span className={`chip state-${objective.state}`}>{objective.state}</span>}
        </>
      }
    >
      <AlignmentNote objective={objective} />
      {children}
    </ObjectiveItem>
  );
}

/** A team's objectives as a list of cards, each as `card` draws it, or `empty` in words when it has none. */
export function ObjectiveCards({
  objectives,
  empty,
  card,
}: {
  objectives: Objective[];
  empty: ReactNode;
  card: (objective: Objective) => ReactNode;
}) {
  if (objectives.length === 0) return <Empty>{empty}</Empty>;
  return (
    <ul className="tree root">
      {objectives.map((objective) => (
        <Fragment key={objective.id}>{card(objective)}</Fragment>
      ))}
    </ul>
  );
}
