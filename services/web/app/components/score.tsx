import type { KeyResult } from "../api.ts";

/** Scores and confidences as people read them in OKR reviews: a grade from 0.0 to 1.0, a percentage. */
export const grade = (score: number | null) => (score === null ? "not scored" : score.toFixed(1));
export const percent = (value: number | null) => (value === null ? "–" : `${Math.round(value * 100)} %`);
/** A KR's latest value with its unit, or a dash before the first check-in. */
export const measured = (value: number | null, unit: string) =>
  value === null ? "–" : `${value} ${unit}`.trim();

/** The grade band (red, yellow, green) as a coloured chip that also says its colour in words. */
export function ScoreChip({ score, band }: { score: number | null; band?: string | null }) {
  return (
    <span className={`chip band-${band ?? "none"}`}>
      <span className="visually-hidden">score </span>
      {grade(score)}
      {band ? <span className="visually-hidden"> ({band})</span> : null}
    </span>
  );
}

export function AtRisk({ atRisk }: { atRisk: boolean | null }) {
  return atRisk ? <span className="chip at-risk">at risk</span> : null;
}

/** What the KR aims at, in its type's own terms. */
export function aim(kr: KeyResult): string {
  if (kr.type === "milestone") return `${kr.milestones.length} milestones`;
  if (kr.type === "stay-between") return `stay between ${kr.bandLow} and ${kr.bandHigh} ${kr.unit}`;
  if (kr.type === "stay-above" || kr.type === "stay-below")
    return `${kr.type.replace("-", " ")} ${kr.target ?? "?"} ${kr.unit}`;
  return `${kr.baseline ?? "?"} → ${kr.target ?? "?"} ${kr.unit}`;
}

/** A key result's score, latest confidence and latest value, as one line of facts beside its title. */
export function KeyResultFacts({
  kr,
}: {
  kr: { score: number | null; latestConfidence: number | null; latestValue: number | null; unit: string };
}) {
  return (
    <span className="kr-facts">
      <ScoreChip score={kr.score} />
      <span>
        confidence <strong>{percent(kr.latestConfidence)}</strong>
      </span>
      <span>
        latest <strong>{measured(kr.latestValue, kr.unit)}</strong>
      </span>
    </span>
  );
}
