import type { Objective } from "../api.ts";
import { useObjectives } from "../queries.ts";

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
