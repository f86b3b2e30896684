import type { CheckIn, Cycle, KeyResult } from "../api.ts";
import { amount, CANVAS, keyResultChart } from "./kr-chart-geometry.ts";
import "../kr-chart.css";

const day = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric" });
// Compact, so a large measure (1.2M) still fits left of the plot.
const tickLabel = new Intl.NumberFormat(undefined, { notation: "compact", maximumFractionDigits: 2 });

/**
 * A key result's check-ins over its cycle as an inline SVG: the values (a step line of milestones done),
 * where a KR on pace would be, the range a stay-* KR must hold, today and the current value. To a
 * screen reader it is one image with a sentence; the history table below it holds the data.
 */
export function KeyResultChart({
  keyResult,
  checkIns,
  cycle,
}: {
  keyResult: KeyResult;
  checkIns: CheckIn[];
  cycle: Cycle | null;
}) {
  const chart = keyResultChart({ keyResult, checkIns, cycle, now: Date.now() });
  const { width, height, left, right, top, bottom } = CANVAS;
  const unit = keyResult.type === "milestone" ? "done" : keyResult.unit;
  return (
    <figure className="kr-chart">
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={chart.summary}>
        {chart.yTicks.map((tick) => (
          <g key={tick.value}>
            <line className="grid" x1={left} x2={width - right} y1={tick.position} y2={tick.position} />
            <text x={left - 6} y={tick.position + 4} textAnchor="end">
              {tickLabel.format(tick.value)}
            </text>
          </g>
        ))}
        {chart.xTicks.map((tick, i) => (
          <text
            key={i === 0 ? "start" : "end"}
            x={tick.position}
            y={height - 8}
            textAnchor={i === 0 ? "start" : "end"}
          >
            {day.format(tick.value)}
          </text>
        ))}
        {chart.zone && (
          <rect
            className="zone"
            x={left}
            width={width - left - right}
            y={chart.zone.top}
            height={chart.zone.bottom - chart.zone.top}
          />
        )}
        {chart.limits.map((y, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: a band's two bounds may sit on one line
          <line key={i} className="limit" x1={left} x2={width - right} y1={y} y2={y} />
        ))}
        {chart.pace && <path className="pace" d={chart.pace} />}
        {chart.today !== null && (
          <g className="today">
            <line x1={chart.today} x2={chart.today} y1={top} y2={height - bottom} />
            <text x={chart.today} y={top - 4} textAnchor="middle">
              today
            </text>
          </g>
        )}
        {chart.line && <path className="value" d={chart.line} />}
        {chart.points.map((point) => (
          <circle key={point.id} className="point" cx={point.x} cy={point.y} r={3.5} />
        ))}
        {chart.current && (
          <g className="current">
            <circle cx={chart.current.x} cy={chart.current.y} r={6} />
            <text x={chart.current.x} y={chart.current.labelY} textAnchor={chart.current.anchor}>
              {amount(chart.current.value, unit)}
            </text>
          </g>
        )}
      </svg>
      <figcaption className="kr-chart-legend">
        {chart.line && <span className="key-value">check-ins</span>}
        {chart.pace && <span className="key-pace">on pace</span>}
        {chart.zone && <span className="key-zone">range to hold</span>}
        {chart.today !== null && <span className="key-today">today</span>}
      </figcaption>
    </figure>
  );
}
