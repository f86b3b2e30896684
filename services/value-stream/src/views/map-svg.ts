import type { MapMetrics, ReworkLink } from "@okr/flow-metrics";

export interface MapDrawing {
  streamName: string;
  mapName: string;
  state: string;
  /** Working minutes in a day: waits are shown in working days, as on a paper map. */
  minutesPerDay: number;
  /** Units the customer needs per working day. */
  dailyDemand: number;
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
    /** Changeover time, drawn only when known. */
    changeoverMinutes?: number | null;
    /** Uptime in percent, drawn only when known. */
    uptimePercent?: number | null;
  }[];
  reworkLinks: ReworkLink[];
  metrics: MapMetrics;
}

const COLOURS: Record<string, string> = {
  "value-adding": "#2e7d32",
  "necessary-non-value-adding": "#f9a825",
  waste: "#c62828",
};
const OVER_TAKT = "#d50000";
const MARGIN = 30;
/** A process box: its width, the top of its row and the height of its name header. */
const BOX = { width: 150, top: 260, header: 44 };
/** The gap between process boxes holds the push arrow and the inventory triangle with its figures. */
const GAP = 100;
/** The supplier and customer factory icons. */
const FACTORY = { width: 130, height: 60 };
const TOP = 70;
const PC_W = 170;
const SUMMARY_W = 240;
/** A line of text's height, and the average glyph width as a share of the font size (to size the drawing). */
const TEXT = { line: 16, glyph: 0.62 };

const escapeXml = (value: string) =>
  value.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string,
  );
const truncate = (value: string, max: number) => (value.length > max ? `${value.slice(0, max - 1)}…` : value);

/** A number with `digits` significant digits and no trailing zeros: 0.0004 stays 0.0004, 62 stays 62. */
export function significant(value: number, digits = 3): string {
  if (value === 0 || !Number.isFinite(value)) return String(value);
  const rounded = Number(value.toPrecision(digits));
  return Math.abs(rounded) >= 1e-6 ? String(rounded) : rounded.toExponential(digits - 1);
}

/** A share as a percentage at honest precision: 0.0004 is "0.04%", never "0.0%". */
export const percent = (value: number | null) =>
  value === null ? "n/a" : `${significant(value * 100, value >= 0.1 ? 3 : 2)}%`;

/** A time at honest precision: 62 s is "62 s", not "1 min"; hours and working days past an hour. */
export function duration(minutes: number, minutesPerDay: number): string {
  if (minutes === 0) return "0 min";
  if (minutes < 2) return `${significant(minutes * 60)} s`;
  if (minutes < 60) return `${significant(minutes)} min`;
  if (minutes < minutesPerDay) return `${significant(minutes / 60)} h`;
  return days(minutes, minutesPerDay);
}

/** A time in working days, as the upper steps of the timeline ladder show waits. */
export function days(minutes: number, minutesPerDay: number): string {
  const value = minutes / minutesPerDay;
  return `${significant(value)} ${value === 1 ? "day" : "days"}`;
}

const STATE_LABEL: Record<string, string> = { current: "Current state", future: "Future state" };

/** The stream's name and the map's state, the map's own name only when it adds something. */
export function mapTitle(drawing: Pick<MapDrawing, "streamName" | "mapName" | "state">): string {
  const label = STATE_LABEL[drawing.state] ?? `${drawing.state} state`;
  const name = drawing.mapName.trim();
  const redundant = name === "" || name.toLowerCase().replace(/\s+map$/, "") === label.toLowerCase();
  return `${drawing.streamName} — ${label}${redundant ? "" : `: ${name}`}`;
}

class Canvas {
  readonly parts: string[] = [];
  right = 0;
  bottom = 0;
  extend(x: number, y: number) {
    this.right = Math.max(this.right, x);
    this.bottom = Math.max(this.bottom, y);
  }
  add(markup: string) {
    this.parts.push(markup);
  }
  rect(x: number, y: number, w: number, h: number, attributes: string) {
    this.extend(x + w, y + h);
    this.add(`<rect x="${x}" y="${y}" width="${w}" height="${h}" ${attributes}/>`);
  }
  polygon(points: [number, number][], attributes: string) {
    for (const [x, y] of points) this.extend(x, y);
    this.add(`<polygon points="${points.map((p) => p.join(",")).join(" ")}" ${attributes}/>`);
  }
  polyline(points: [number, number][], attributes: string) {
    for (const [x, y] of points) this.extend(x, y);
    this.add(`<polyline points="${points.map((p) => p.join(",")).join(" ")}" fill="none" ${attributes}/>`);
  }
  /** Text; `size` and `anchor` also size the drawing, so nothing is clipped. */
  text(x: number, y: number, content: string, size: number, attributes = "", anchor = "start") {
    const width = content.length * size * TEXT.glyph;
    this.extend(anchor === "start" ? x + width : anchor === "middle" ? x + width / 2 : x, y + size / 3);
    this.add(
      `<text x="${x}" y="${y}" font-size="${size}"${anchor === "start" ? "" : ` text-anchor="${anchor}"`} ${attributes}>${escapeXml(content)}</text>`,
    );
  }
}

/** A factory icon (saw-tooth roof), as value stream maps draw customers and suppliers. */
function factory(canvas: Canvas, x: number, role: "supplier" | "customer", label: string) {
  const y = TOP;
  const w = FACTORY.width;
  const roof = 18;
  canvas.add(`<g class="${role}">`);
  canvas.polygon(
    [
      [x, y + FACTORY.height],
      [x, y + roof],
      [x + w / 3, y],
      [x + w / 3, y + roof],
      [x + (2 * w) / 3, y],
      [x + (2 * w) / 3, y + roof],
      [x + w, y],
      [x + w, y + FACTORY.height],
    ],
    'fill="#eceff1" stroke="#37474f" stroke-width="1.5"',
  );
  canvas.text(x + w / 2, y + FACTORY.height - 12, truncate(label, 18), 12, 'font-weight="bold"', "middle");
  canvas.add("</g>");
}

/**
 * A value stream map in SVG after the conventions of "Learning to See": supplier and customer factories
 * with the customer's demand and takt, production control with the information flow, process boxes with
 * their data boxes (C/T, C/O, %C&A, uptime, WIP limit, waste tags; a step slower than takt at its uptime
 * is outlined in red and labelled), inventory triangles with units and days between them, declared
 * rework loops, and the timeline ladder (waits in days up, process times down) with lead time, process
 * time and flow efficiency at its end. The viewBox is measured from what is drawn.
 */
export function renderMapSvg(drawing: MapDrawing): string {
  const { steps, metrics, minutesPerDay } = drawing;
  const takt = metrics.taktTimeMinutes;
  const canvas = new Canvas();
  const title = mapTitle(drawing);
  const boxLeft = (index: number) => MARGIN + GAP + index * (BOX.width + GAP);
  // The last gap carries the shipment to the customer.
  const rowEnd = boxLeft(steps.length);
  const summaryX = rowEnd + 10;
  const right = Math.max(summaryX + SUMMARY_W, MARGIN + FACTORY.width + 60 + PC_W + 60 + FACTORY.width);
  const customerX = right - FACTORY.width;
  const pcX = Math.round((MARGIN + FACTORY.width + customerX) / 2 - PC_W / 2);
  const flowY = BOX.top + BOX.header / 2;

  canvas.text(MARGIN, MARGIN + 4, title, 16, 'class="heading" font-weight="bold"');
  canvas.text(
    MARGIN,
    MARGIN + 22,
    `${steps.length} ${steps.length === 1 ? "step" : "steps"} · takt ${duration(takt, minutesPerDay)} · working day ${duration(minutesPerDay, Number.POSITIVE_INFINITY)}`,
    11,
    'fill="#555"',
  );

  // Supplier, production control, customer and the information flow between them.
  factory(canvas, MARGIN, "supplier", "Supplier");
  factory(canvas, customerX, "customer", "Customer");
  const demandY = TOP + FACTORY.height;
  canvas.add('<g class="customer-data">');
  canvas.rect(customerX, demandY, FACTORY.width, 2 * TEXT.line + 8, 'fill="#fff" stroke="#37474f"');
  canvas.text(
    customerX + 6,
    demandY + TEXT.line,
    `${significant(drawing.dailyDemand)} units/day`,
    11,
    'class="demand"',
  );
  canvas.text(
    customerX + 6,
    demandY + 2 * TEXT.line,
    `Takt ${duration(takt, minutesPerDay)}`,
    11,
    'class="takt"',
  );
  canvas.add("</g>");
  canvas.add('<g class="production-control">');
  canvas.rect(pcX, TOP + 6, PC_W, 44, 'fill="#fff" stroke="#37474f" stroke-width="1.5"');
  canvas.text(pcX + PC_W / 2, TOP + 33, "Production control", 12, 'font-weight="bold"', "middle");
  canvas.add("</g>");
  const infoY = TOP + 28;
  canvas.polyline(
    [
      [customerX, infoY],
      [pcX + PC_W, infoY],
    ],
    'class="information" stroke="#37474f" marker-end="url(#arrow)"',
  );
  canvas.text((customerX + pcX + PC_W) / 2, infoY - 6, "orders", 10, 'fill="#555"', "middle");
  canvas.polyline(
    [
      [pcX, infoY],
      [MARGIN + FACTORY.width, infoY],
    ],
    'class="information" stroke="#37474f" marker-end="url(#arrow)"',
  );
  canvas.text((pcX + MARGIN + FACTORY.width) / 2, infoY - 6, "orders", 10, 'fill="#555"', "middle");
  // Material flow: supplier into the first gap, the last process out to the customer.
  const shipIn = MARGIN + 16;
  if (steps.length)
    canvas.polyline(
      [
        [shipIn, TOP + FACTORY.height],
        [shipIn, flowY],
        [boxLeft(0), flowY],
      ],
      'class="material" stroke="#555" stroke-width="1.5" marker-end="url(#arrow)"',
    );
  if (steps.length)
    canvas.polyline(
      [
        [boxLeft(steps.length - 1) + BOX.width, flowY],
        [customerX + FACTORY.width / 2, flowY],
        [customerX + FACTORY.width / 2, demandY + 2 * TEXT.line + 8],
      ],
      'class="material" stroke="#555" stroke-width="1.5" marker-end="url(#arrow)"',
    );

  // Process boxes, their data boxes and the inventory before each.
  let dataBottom = BOX.top + BOX.header;
  steps.forEach((step, i) => {
    const left = boxLeft(i);
    const colour = COLOURS[step.classification] ?? "#555";
    const figures = metrics.steps[i];
    // Held to takt at the step's uptime (metrics' figure), as the ladder below is.
    const overTakt = figures?.overTakt ?? step.processMinutes > takt;
    const effectiveTakt = figures?.effectiveTaktMinutes ?? takt;
    const outline = overTakt
      ? `stroke="${OVER_TAKT}" stroke-width="3"`
      : 'stroke="#37474f" stroke-width="1.5"';
    canvas.add(
      `<g class="step${overTakt ? " over-takt" : ""}" data-step-id="${escapeXml(step.id)}" data-classification="${escapeXml(step.classification)}">`,
    );
    if (step.waitMinutes > 0) {
      const cx = left - GAP / 2;
      const top = flowY + 14;
      canvas.polygon(
        [
          [cx, top],
          [cx - 14, top + 24],
          [cx + 14, top + 24],
        ],
        'class="inventory" fill="#ffe082" stroke="#8d6e00"',
      );
      canvas.text(cx, top + 20, "I", 11, 'font-weight="bold"', "middle");
      if (step.waitInventoryUnits !== null)
        canvas.text(cx, top + 38, `${significant(step.waitInventoryUnits)} units`, 10, "", "middle");
      canvas.text(
        cx,
        top + (step.waitInventoryUnits !== null ? 52 : 38),
        days(step.waitMinutes, minutesPerDay),
        10,
        'class="inventory-days"',
        "middle",
      );
    }
    canvas.rect(left, BOX.top, BOX.width, BOX.header, `fill="#fff" ${outline}`);
    canvas.rect(left, BOX.top, 8, BOX.header, `fill="${colour}"`);
    canvas.text(left + 14, BOX.top + 18, truncate(step.name, 19), 12, 'font-weight="bold"');
    canvas.text(left + 14, BOX.top + 34, step.classification.replaceAll("-", " "), 9, `fill="${colour}"`);
    const lines: [string, string][] = [[`C/T ${duration(step.processMinutes, minutesPerDay)}`, ""]];
    const red = `class="over-takt" fill="${OVER_TAKT}"`;
    if (overTakt && effectiveTakt < takt)
      lines.push(["over takt × uptime", red], [`(${duration(effectiveTakt, minutesPerDay)})`, red]);
    else if (overTakt) lines.push([`over takt (${duration(takt, minutesPerDay)})`, red]);
    if (step.changeoverMinutes !== undefined && step.changeoverMinutes !== null)
      lines.push([`C/O ${duration(step.changeoverMinutes, minutesPerDay)}`, ""]);
    lines.push([`%C&A ${percent(step.percentCompleteAccurate)}`, ""]);
    if (step.uptimePercent !== undefined && step.uptimePercent !== null)
      lines.push([`Uptime ${percent(step.uptimePercent / 100)}`, ""]);
    lines.push([step.wipLimit === null ? "WIP no limit" : `WIP limit ${step.wipLimit}`, ""]);
    for (const tag of step.wasteTags.slice(0, 3)) lines.push([tag, 'class="waste" fill="#c62828"']);
    if (step.wasteTags.length > 3) lines.push([`+${step.wasteTags.length - 3} more`, 'fill="#c62828"']);
    const dataTop = BOX.top + BOX.header;
    canvas.rect(left, dataTop, BOX.width, lines.length * TEXT.line + 8, `fill="#fafafa" ${outline}`);
    for (const [n, [line, attributes]] of lines.entries())
      canvas.text(left + 8, dataTop + (n + 1) * TEXT.line, line, 11, attributes);
    dataBottom = Math.max(dataBottom, dataTop + lines.length * TEXT.line + 8);
    if (i + 1 < steps.length)
      canvas.polyline(
        [
          [left + BOX.width, flowY],
          [left + BOX.width + GAP, flowY],
        ],
        'class="material" stroke="#555" stroke-width="1.5" marker-end="url(#arrow)"',
      );
    canvas.add("</g>");
  });

  const index = new Map(steps.map((step, i) => [step.id, i]));
  for (const link of drawing.reworkLinks) {
    const from = index.get(link.fromStepId);
    const to = index.get(link.toStepId);
    if (from === undefined || to === undefined) continue;
    const x1 = boxLeft(from) + BOX.width / 2 + 20;
    const x2 = boxLeft(to) + BOX.width / 2 - 20;
    const rise = Math.min(70, 36 + 8 * (from - to));
    canvas.add(
      `<path class="rework" d="M ${x1} ${BOX.top} C ${x1} ${BOX.top - rise}, ${x2} ${BOX.top - rise}, ${x2} ${BOX.top}" fill="none" stroke="#c62828" stroke-dasharray="5 3" marker-end="url(#arrow)"/>`,
    );
    canvas.text(
      (x1 + x2) / 2,
      BOX.top - rise * 0.75 - 4,
      `rework ${percent(link.rate)}`,
      10,
      'fill="#c62828"',
      "middle",
    );
  }

  // Timeline ladder: waits in days on the upper steps across the gaps, process times on the lower steps.
  const high = dataBottom + 44;
  const low = high + 36;
  const ladder: [number, number][] = [[MARGIN, high]];
  steps.forEach((step, i) => {
    const left = boxLeft(i);
    ladder.push([left, high], [left, low], [left + BOX.width, low], [left + BOX.width, high]);
    canvas.text(
      left - GAP / 2,
      high - 6,
      days(step.waitMinutes, minutesPerDay),
      10,
      'class="ladder-wait"',
      "middle",
    );
    canvas.text(
      left + BOX.width / 2,
      low + 16,
      duration(step.processMinutes, minutesPerDay),
      10,
      `class="ladder-process"${(metrics.steps[i]?.overTakt ?? step.processMinutes > takt) ? ` fill="${OVER_TAKT}"` : ""}`,
      "middle",
    );
  });
  if (steps.length) canvas.polyline(ladder, 'class="ladder" stroke="#333" stroke-width="2"');

  const totals: [string, string][] = [
    [`Lead time ${days(metrics.leadTimeMinutes, minutesPerDay)}`, 'class="lead-time"'],
    [`Process time ${duration(metrics.processTimeMinutes, minutesPerDay)}`, 'class="process-time"'],
    [`Flow efficiency ${percent(metrics.flowEfficiency)}`, 'class="flow-efficiency"'],
    [`Rolled %C&A ${percent(metrics.rolledPercentCompleteAccurate)}`, ""],
    [`Takt ${duration(takt, minutesPerDay)}`, ""],
  ];
  if (metrics.expectedReworkMinutes > 0)
    totals.push([`With rework ${days(metrics.leadTimeWithReworkMinutes, minutesPerDay)}`, ""]);
  canvas.rect(summaryX, high - 24, SUMMARY_W, totals.length * 18 + 14, 'fill="#eef" stroke="#334"');
  for (const [n, [line, attributes]] of totals.entries())
    canvas.text(
      summaryX + 10,
      high - 6 + n * 18,
      line,
      12,
      `${attributes} font-weight="${n < 3 ? "bold" : "normal"}"`.trim(),
    );

  const width = Math.ceil(canvas.right + MARGIN);
  const height = Math.ceil(canvas.bottom + MARGIN);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif">`,
    `<title>${escapeXml(title)}</title>`,
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#555"/></marker></defs>`,
    `<rect class="background" x="0" y="0" width="${width}" height="${height}" fill="#fff"/>`,
    ...canvas.parts,
    "</svg>",
  ].join("\n");
}
