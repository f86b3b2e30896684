import type { MapMetrics, ReworkLink } from "@okr/flow-metrics";

export interface MapDrawing {
  streamName: string;
  mapName: string;
  state: string;
  /** Working minutes in a day: long waits are shown in working days, as on a paper map. */
  minutesPerDay: number;
  steps: {
    id: string;
    name: string;
    classification: string;
    processMinutes: number;
    waitMinutes: number;
    waitInventoryUnits: number | null;
    percentCompleteAccurate: number;
    wipLimit: number | null;
    wasteTags: string[];
  }[];
  reworkLinks: ReworkLink[];
  metrics: MapMetrics;
}

const COLOURS: Record<string, string> = {
  "value-adding": "#2e7d32",
  "necessary-non-value-adding": "#f9a825",
  waste: "#c62828",
};
const BOX_W = 180;
const GAP = 40;
const LEFT = 30;
const BOX_TOP = 110;
const BOX_H = 150;
const LADDER_HIGH = 330;
const LADDER_LOW = 370;

const escapeXml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string,
  );
const truncate = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
const percent = (value: number | null) =>
  value === null ? "n/a" : `${(value * 100).toFixed(value < 0.1 ? 1 : 0)}%`;

function duration(minutes: number, minutesPerDay: number): string {
  if (minutes < 1) return `${Math.round(minutes * 60)} s`;
  if (minutes < 60) return `${Number(minutes.toFixed(1))} min`;
  if (minutes < minutesPerDay) return `${Number((minutes / 60).toFixed(1))} h`;
  return `${Number((minutes / minutesPerDay).toFixed(1))} d`;
}

const text = (x: number, y: number, content: string, attributes = "") =>
  `<text x="${x}" y="${y}" ${attributes}>${escapeXml(content)}</text>`;

/**
 * A value stream map in SVG: one process box per step (classification colour, P/T, W/T, %C&A, WIP limit,
 * waste tags), the inventory/wait before each step, declared rework loops as arcs, and the timeline ladder
 * (wait up, process down) with lead time, process time, flow efficiency, rolled %C&A and takt at its end.
 */
export function renderMapSvg(drawing: MapDrawing): string {
  const { steps, metrics, minutesPerDay } = drawing;
  const summaryX = LEFT + steps.length * (BOX_W + GAP);
  const width = summaryX + 260;
  const height = 460;
  const x = (index: number) => LEFT + index * (BOX_W + GAP);
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<title>${escapeXml(`${drawing.streamName}: ${drawing.mapName} (${drawing.state} state)`)}</title>`,
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#555"/></marker></defs>`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    text(
      LEFT,
      26,
      `${drawing.streamName} — ${drawing.mapName} (${drawing.state} state)`,
      'font-size="16" font-weight="bold"',
    ),
    text(
      LEFT,
      46,
      `takt ${duration(metrics.taktTimeMinutes, minutesPerDay)} · ${steps.length} steps`,
      'fill="#555"',
    ),
  );

  steps.forEach((step, i) => {
    const left = x(i);
    const colour = COLOURS[step.classification] ?? "#555";
    parts.push(
      `<g class="step" data-step-id="${escapeXml(step.id)}" data-classification="${escapeXml(step.classification)}">`,
    );
    // Inventory triangle with the wait before the step.
    const tx = left - GAP / 2;
    if (step.waitMinutes > 0) {
      parts.push(
        `<polygon points="${tx},${BOX_TOP - 38} ${tx - 11},${BOX_TOP - 18} ${tx + 11},${BOX_TOP - 18}" fill="#ffe082" stroke="#8d6e00"/>`,
        text(tx, BOX_TOP - 24, "I", 'text-anchor="middle" font-weight="bold" font-size="10"'),
        text(
          tx,
          BOX_TOP - 44,
          step.waitInventoryUnits !== null
            ? `${step.waitInventoryUnits} u`
            : duration(step.waitMinutes, minutesPerDay),
          'text-anchor="middle" font-size="10"',
        ),
      );
    }
    parts.push(
      `<rect x="${left}" y="${BOX_TOP}" width="${BOX_W}" height="${BOX_H}" fill="#fafafa" stroke="${colour}" stroke-width="2" rx="4"/>`,
      `<rect x="${left}" y="${BOX_TOP}" width="${BOX_W}" height="26" fill="${colour}" rx="4"/>`,
      text(left + 8, BOX_TOP + 18, truncate(step.name, 24), 'fill="#fff" font-weight="bold"'),
      text(left + 8, BOX_TOP + 44, `P/T ${duration(step.processMinutes, minutesPerDay)}`),
      text(left + 8, BOX_TOP + 62, `W/T ${duration(step.waitMinutes, minutesPerDay)}`),
      text(left + 8, BOX_TOP + 80, `%C&A ${percent(step.percentCompleteAccurate)}`),
      text(left + 8, BOX_TOP + 98, step.wipLimit === null ? "WIP no limit" : `WIP limit ${step.wipLimit}`),
      text(
        left + 8,
        BOX_TOP + 116,
        step.classification.replaceAll("-", " "),
        `fill="${colour}" font-size="10"`,
      ),
    );
    if (step.wasteTags.length)
      parts.push(
        text(
          left + 8,
          BOX_TOP + 138,
          truncate(step.wasteTags.join(", "), 32),
          'class="waste" fill="#c62828" font-size="9"',
        ),
      );
    if (i + 1 < steps.length)
      parts.push(
        `<line x1="${left + BOX_W}" y1="${BOX_TOP + BOX_H / 2}" x2="${left + BOX_W + GAP}" y2="${BOX_TOP + BOX_H / 2}" stroke="#555" marker-end="url(#arrow)"/>`,
      );
    parts.push("</g>");
  });

  const index = new Map(steps.map((step, i) => [step.id, i]));
  for (const link of drawing.reworkLinks) {
    const from = index.get(link.fromStepId);
    const to = index.get(link.toStepId);
    if (from === undefined || to === undefined) continue;
    const x1 = x(from) + BOX_W / 2 + 20;
    const x2 = x(to) + BOX_W / 2 - 20;
    const rise = 40 + 10 * (from - to);
    parts.push(
      `<path class="rework" d="M ${x1} ${BOX_TOP} C ${x1} ${BOX_TOP - rise}, ${x2} ${BOX_TOP - rise}, ${x2} ${BOX_TOP}" fill="none" stroke="#c62828" stroke-dasharray="5 3" marker-end="url(#arrow)"/>`,
      text(
        (x1 + x2) / 2,
        BOX_TOP - rise * 0.75 - 4,
        `rework ${percent(link.rate)}`,
        'text-anchor="middle" fill="#c62828" font-size="10"',
      ),
    );
  }

  // Timeline ladder: wait on the high rungs between boxes, process time on the low rungs under them.
  const ladder: string[] = [];
  let cursor = LEFT - GAP;
  steps.forEach((step, i) => {
    const left = x(i);
    ladder.push(
      `${cursor},${LADDER_HIGH}`,
      `${left},${LADDER_HIGH}`,
      `${left},${LADDER_LOW}`,
      `${left + BOX_W},${LADDER_LOW}`,
      `${left + BOX_W},${LADDER_HIGH}`,
    );
    parts.push(
      text(
        left - GAP / 2,
        LADDER_HIGH - 6,
        duration(step.waitMinutes, minutesPerDay),
        'class="ladder-wait" text-anchor="middle" font-size="10"',
      ),
      text(
        left + BOX_W / 2,
        LADDER_LOW + 16,
        duration(step.processMinutes, minutesPerDay),
        'class="ladder-process" text-anchor="middle" font-size="10"',
      ),
    );
    cursor = left + BOX_W;
  });
  if (steps.length)
    parts.push(
      `<polyline class="ladder" points="${ladder.join(" ")}" fill="none" stroke="#333" stroke-width="2"/>`,
    );

  const lines = [
    `Lead time ${duration(metrics.leadTimeMinutes, minutesPerDay)}`,
    `Process time ${duration(metrics.processTimeMinutes, minutesPerDay)}`,
    `Flow efficiency ${percent(metrics.flowEfficiency)}`,
    `Rolled %C&A ${percent(metrics.rolledPercentCompleteAccurate)}`,
    `Takt ${duration(metrics.taktTimeMinutes, minutesPerDay)}`,
  ];
  if (metrics.expectedReworkMinutes > 0)
    lines.push(`With rework ${duration(metrics.leadTimeWithReworkMinutes, minutesPerDay)}`);
  parts.push(
    `<rect x="${summaryX}" y="${LADDER_HIGH - 30}" width="220" height="${lines.length * 18 + 16}" fill="#eef" stroke="#334"/>`,
  );
  for (const [i, line] of lines.entries())
    parts.push(text(summaryX + 10, LADDER_HIGH - 10 + i * 18, line, 'class="summary"'));
  parts.push("</svg>");
  return parts.join("\n");
}
