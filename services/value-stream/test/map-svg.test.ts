import { type MapStep, mapMetrics } from "@okr/flow-metrics";
import { describe, expect, it } from "vitest";
import { duration, type MapDrawing, percent, renderMapSvg } from "../src/views/map-svg.ts";

const demand = { dailyDemand: 20, availableMinutesPerDay: 480 }; // takt 24 min

function drawing(
  steps: (Omit<MapStep, "wasteTags" | "classification"> & Partial<MapStep>)[],
  overrides: Partial<MapDrawing> = {},
): MapDrawing {
  const full: MapStep[] = steps.map((step) => ({ classification: "value-adding", wasteTags: [], ...step }));
  const metrics = mapMetrics(full, [], demand);
  return {
    streamName: "Loans <retail> & co",
    mapName: "Current state",
    state: "current",
    minutesPerDay: demand.availableMinutesPerDay,
    dailyDemand: demand.dailyDemand,
    steps: full.map((step, i) => ({
      id: step.id,
      name: step.name,
      classification: step.classification,
      processMinutes: step.processMinutes,
      waitMinutes: metrics.steps[i]?.waitMinutes as number,
      waitInventoryUnits: "inventoryUnits" in step.wait ? step.wait.inventoryUnits : null,
      percentCompleteAccurate: step.percentCompleteAccurate,
      wipLimit: step.wipLimit ?? null,
      wasteTags: [...step.wasteTags],
      ...(step.changeoverMinutes === undefined ? {} : { changeoverMinutes: step.changeoverMinutes }),
      ...(step.uptimePercent === undefined ? {} : { uptimePercent: step.uptimePercent }),
    })),
    reworkLinks: [],
    metrics,
    ...overrides,
  };
}

const sample = () =>
  drawing([
    // 40 units at 20/day: 2 days of inventory before the first step, which used to be clipped.
    {
      id: "s1",
      name: "Take <application>",
      processMinutes: 62 / 60,
      wait: { inventoryUnits: 40 },
      percentCompleteAccurate: 0.8,
    },
    {
      id: "s2",
      name: "Underwrite & check",
      processMinutes: 45,
      wait: { minutes: 0 },
      percentCompleteAccurate: 0.9,
    },
    { id: "s3", name: "Offer", processMinutes: 20, wait: { minutes: 120 }, percentCompleteAccurate: 1 },
  ]);

/** Every element's coordinates, from its attributes, points and path data. */
function coordinates(svg: string): { element: string; x: number; y: number }[] {
  const found: { element: string; x: number; y: number }[] = [];
  for (const [element] of svg.matchAll(/<(?!svg\b|\/)[a-z]+\b[^>]*>/g)) {
    if (element.startsWith("<marker") || element.startsWith('<path d="M 0 0')) continue; // marker's own box
    const attr = (name: string) => element.match(new RegExp(`\\s${name}="(-?[\\d.]+)"`))?.[1];
    const x = attr("x") ?? attr("x1") ?? attr("cx");
    const y = attr("y") ?? attr("y1") ?? attr("cy");
    if (x !== undefined && y !== undefined) found.push({ element, x: Number(x), y: Number(y) });
    for (const name of ["x2"]) {
      const value = attr(name);
      if (value !== undefined) found.push({ element, x: Number(value), y: Number(attr("y2")) });
    }
    const width = attr("width");
    const height = attr("height");
    if (x !== undefined && y !== undefined && width !== undefined && height !== undefined)
      found.push({ element, x: Number(x) + Number(width), y: Number(y) + Number(height) });
    const points = element.match(/\spoints="([^"]*)"/)?.[1];
    for (const pair of points?.split(" ") ?? []) {
      const [px, py] = pair.split(",").map(Number);
      found.push({ element, x: px as number, y: py as number });
    }
    const d = element.match(/\sd="([^"]*)"/)?.[1];
    const numbers = d?.match(/-?[\d.]+/g)?.map(Number) ?? [];
    for (let i = 0; i + 1 < numbers.length; i += 2)
      found.push({ element, x: numbers[i] as number, y: numbers[i + 1] as number });
  }
  return found;
}

const viewBox = (svg: string) => {
  const [x, y, w, h] = (svg.match(/viewBox="([^"]+)"/)?.[1] ?? "").split(" ").map(Number);
  return { x: x as number, y: y as number, w: w as number, h: h as number };
};

const texts = (svg: string) =>
  [
    ...svg.matchAll(
      /<text x="([\d.-]+)" y="([\d.-]+)" font-size="([\d.]+)"( text-anchor="(\w+)")?[^>]*>([^<]*)<\/text>/g,
    ),
  ].map((m) => ({
    x: Number(m[1]),
    y: Number(m[2]),
    size: Number(m[3]),
    anchor: m[5] ?? "start",
    content: (m[6] as string).replace(/&(lt|gt|amp|quot|#39);/g, "_"),
    raw: m[6] as string,
  }));

describe("value stream map SVG", () => {
  it("keeps every element and every text inside the viewBox measured from the content", () => {
    const long = drawing(
      [
        {
          id: "a",
          name: "x".repeat(200),
          processMinutes: 5,
          wait: { minutes: 600 },
          percentCompleteAccurate: 1,
        },
      ],
      { streamName: "Stream ".repeat(28) },
    );
    for (const svg of [renderMapSvg(sample()), renderMapSvg(drawing([])), renderMapSvg(long)]) {
      const box = viewBox(svg);
      expect(box.x).toBe(0);
      expect(box.y).toBe(0);
      for (const { element, x, y } of coordinates(svg)) {
        expect(x, element).toBeGreaterThanOrEqual(0);
        expect(y, element).toBeGreaterThanOrEqual(0);
        expect(x, element).toBeLessThanOrEqual(box.w);
        expect(y, element).toBeLessThanOrEqual(box.h);
      }
      for (const t of texts(svg)) {
        // Text grows from its anchor at roughly 0.6 em a glyph.
        const width = t.content.length * t.size * 0.55;
        const left = t.anchor === "middle" ? t.x - width / 2 : t.anchor === "end" ? t.x - width : t.x;
        expect(left, t.raw).toBeGreaterThanOrEqual(0);
        expect(left + width, t.raw).toBeLessThanOrEqual(box.w);
        expect(t.y - t.size, t.raw).toBeGreaterThanOrEqual(0);
      }
    }
  });

  it("has one title, naming the stream and saying Current state once, with its text escaped", () => {
    const svg = renderMapSvg(sample());
    const titles = [...svg.matchAll(/<title>([^<]*)<\/title>/g)].map((m) => m[1] as string);
    expect(titles).toEqual(["Loans &lt;retail&gt; &amp; co — Current state"]);
    const heading = texts(svg).filter((t) => t.raw.includes("Current state"));
    expect(heading.map((t) => t.raw)).toEqual(["Loans &lt;retail&gt; &amp; co — Current state"]);
    expect(svg).toContain("Take &lt;application&gt;");
    expect(svg).not.toMatch(/<application>|<retail>/);
    // A future state keeps its own name when it adds something.
    const future = renderMapSvg({ ...sample(), state: "future", mapName: "After kaizen" });
    expect(future).toContain("<title>Loans &lt;retail&gt; &amp; co — Future state: After kaizen</title>");
  });

  it("draws supplier and customer factories, the customer's demand and takt, and production control", () => {
    const svg = renderMapSvg(sample());
    expect(svg.match(/<g class="supplier">/g)).toHaveLength(1);
    expect(svg.match(/<g class="customer">/g)).toHaveLength(1);
    expect(svg).toMatch(/class="demand"[^>]*>20 units\/day</);
    expect(svg).toMatch(/class="takt"[^>]*>Takt 24 min</);
    expect(svg).toContain('<g class="production-control">');
    expect(svg.match(/class="information"/g)?.length).toBeGreaterThanOrEqual(2);
    // The customer is right of the supplier.
    const x = (role: string) =>
      Number(svg.match(new RegExp(`<g class="${role}">\\n<polygon points="([\\d.]+)`))?.[1]);
    expect(x("customer")).toBeGreaterThan(x("supplier"));
  });

  it("marks a step over takt and leaves one on takt unmarked", () => {
    const svg = renderMapSvg(sample());
    const step = (id: string) =>
      svg.match(new RegExp(`<g class="step[^"]*" data-step-id="${id}"[\\s\\S]*?</g>`))?.[0] ?? "";
    expect(step("s2")).toMatch(/^<g class="step over-takt"/);
    expect(step("s2")).toContain('stroke="#d50000" stroke-width="3"');
    expect(step("s2")).toMatch(/class="over-takt"[^>]*>over takt \(24 min\)</);
    for (const id of ["s1", "s3"]) {
      expect(step(id)).toMatch(/^<g class="step" /);
      expect(step(id)).not.toContain("over takt");
      expect(step(id)).not.toContain("#d50000");
    }
  });

  it("writes times at honest precision: 62 s is not 1 min, and a tiny flow efficiency is not 0.0%", () => {
    const svg = renderMapSvg(sample());
    expect(svg).toContain("C/T 62 s");
    expect(svg).not.toMatch(/>[^<]*\b1 min</);
    expect(duration(62 / 60, 480)).toBe("62 s");
    expect(duration(45, 480)).toBe("45 min");
    expect(duration(90, 480)).toBe("1.5 h");
    expect(percent(0.0004)).toBe("0.04%");
    expect(percent(0.8)).toBe("80%");
    // Process 1 min in a lead time of 5 working days: 0.04 %.
    const tiny = renderMapSvg(
      drawing([
        {
          id: "t",
          name: "Stamp",
          processMinutes: 0.96,
          wait: { minutes: 2399.04 },
          percentCompleteAccurate: 1,
        },
      ]),
    );
    expect(tiny).toMatch(/class="flow-efficiency"[^>]*>Flow efficiency 0.04%</);
    expect(tiny).not.toContain("0.0%");
    expect(tiny).toMatch(/class="lead-time"[^>]*>Lead time 5 days</);
  });

  it("draws one inventory triangle per gap holding inventory, with units and days, and waits in days on the ladder", () => {
    const svg = renderMapSvg(sample());
    const withInventory = sample().steps.filter((step) => step.waitMinutes > 0).length;
    expect(withInventory).toBe(2);
    expect(svg.match(/class="inventory"/g)).toHaveLength(withInventory);
    expect(svg).toContain(">40 units<");
    expect(svg).toMatch(/class="inventory-days"[^>]*>2 days</);
    expect(svg).toMatch(/class="inventory-days"[^>]*>0.25 days</);
    const ladderWaits = [...svg.matchAll(/class="ladder-wait"[^>]*>([^<]*)</g)].map((m) => m[1]);
    expect(ladderWaits).toEqual(["2 days", "0 days", "0.25 days"]);
    const ladderProcess = [...svg.matchAll(/class="ladder-process"[^>]*>([^<]*)</g)].map((m) => m[1]);
    expect(ladderProcess).toEqual(["62 s", "45 min", "20 min"]);
    // The ladder starts inside the drawing, at the margin before the first inventory.
    const ladder = svg.match(/<polyline points="([^"]*)" fill="none" class="ladder"/)?.[1] ?? "";
    expect(Number(ladder.split(",")[0])).toBeGreaterThan(0);
  });

  it("shows changeover and uptime in a step's data box when known, and holds the step to takt × uptime", () => {
    const svg = renderMapSvg(
      drawing([
        // 20 min against takt 24 min: on takt at 85% uptime (20.4 min), over it at 80% (19.2 min).
        {
          id: "press",
          name: "Press",
          processMinutes: 20,
          wait: { minutes: 0 },
          percentCompleteAccurate: 0.95,
          changeoverMinutes: 45,
          uptimePercent: 85,
        },
        {
          id: "weld",
          name: "Weld",
          processMinutes: 20,
          wait: { minutes: 0 },
          percentCompleteAccurate: 1,
          uptimePercent: 80,
        },
        { id: "pack", name: "Pack", processMinutes: 20, wait: { minutes: 0 }, percentCompleteAccurate: 1 },
      ]),
    );
    const dataBox = (id: string) => {
      const group =
        svg.match(new RegExp(`<g class="step[^"]*" data-step-id="${id}"[\\s\\S]*?</g>`))?.[0] ?? "";
      return [...group.matchAll(/<text [^>]*>([^<]*)<\/text>/g)].map((m) => m[1]).slice(2);
    };
    expect(dataBox("press")).toEqual([
      "C/T 20 min",
      "C/O 45 min",
      "%C&amp;A 95%",
      "Uptime 85%",
      "WIP no limit",
    ]);
    expect(dataBox("weld")).toEqual([
      "C/T 20 min",
      "over takt × uptime",
      "(19.2 min)",
      "%C&amp;A 100%",
      "Uptime 80%",
      "WIP no limit",
    ]);
    expect(svg).toMatch(/<g class="step over-takt" data-step-id="weld"/);
    // Without changeover or uptime the box shows neither, and the step is held to plain takt.
    expect(dataBox("pack")).toEqual(["C/T 20 min", "%C&amp;A 100%", "WIP no limit"]);
    expect(svg).toMatch(/<g class="step" data-step-id="press"/);
    expect(svg).toMatch(/<g class="step" data-step-id="pack"/);
    const ladderProcess = [...svg.matchAll(/class="ladder-process"([^>]*)>/g)].map((m) =>
      m[1]?.includes("#d50000"),
    );
    expect(ladderProcess).toEqual([false, true, false]);
  });

  it("draws a map whose steps carry no changeover or uptime exactly as one where both are null", () => {
    const before = sample();
    const withNulls = {
      ...before,
      steps: before.steps.map((step) => ({ ...step, changeoverMinutes: null, uptimePercent: null })),
    };
    expect(renderMapSvg(withNulls)).toBe(renderMapSvg(before));
    expect(renderMapSvg(before)).not.toMatch(/C\/O|Uptime/);
  });
});
