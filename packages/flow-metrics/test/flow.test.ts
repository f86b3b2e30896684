import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type EventKind,
  eventKey,
  type FlowEvent,
  flowMetrics,
  type IngestState,
  type ItemHistory,
  type ItemPosition,
  ingest,
  NEW_ITEM,
  pullSignals,
} from "../src/index.ts";

const H = 60 * 60_000;
const D = 24 * H;
const ev = (itemId: string, stepId: string, kind: EventKind, at: number, reason?: string): FlowEvent => ({
  itemId,
  stepId,
  kind,
  at,
  ...(reason ? { reason } : {}),
});

describe("flow metrics from work-item events", () => {
  const done: ItemHistory = {
    id: "1",
    type: "feature",
    events: [
      ev("1", "A", "entered", 0),
      ev("1", "A", "started", 1 * H),
      ev("1", "A", "completed", 3 * H),
      ev("1", "B", "entered", 5 * H),
      ev("1", "B", "started", 6 * H),
      ev("1", "B", "blocked", 7 * H, "Waiting on  Vendor"),
      ev("1", "B", "unblocked", 9 * H),
      ev("1", "B", "completed", 10 * H),
    ],
  };
  const stuck: ItemHistory = {
    id: "2",
    type: "defect",
    events: [
      ev("2", "A", "entered", D),
      ev("2", "A", "started", D + H),
      ev("2", "A", "blocked", D + 2 * H, "waiting on vendor "),
    ],
  };
  const later: ItemHistory = { id: "3", type: "feature", events: [ev("3", "A", "entered", 11 * D)] };
  const metrics = flowMetrics([done, stuck, later], {
    window: { from: 0, to: 10 * D },
    sequence: ["A", "B"],
  });

  it("measures flow and lead time, throughput and WIP", () => {
    expect(metrics.throughput).toEqual({ count: 1, perDay: 0.1 });
    expect(metrics.flowTime).toMatchObject({ count: 1, meanMinutes: 540, p50Minutes: 540, p85Minutes: 540 });
    expect(metrics.leadTime).toMatchObject({ count: 1, meanMinutes: 600 });
    expect(metrics.wip.current).toBe(1);
    expect(metrics.wip.average).toBeCloseTo((9 + (240 - 25)) / 240, 12);
  });

  it("computes flow efficiency from active versus waiting time (blocked and queued time is waiting)", () => {
    expect(metrics.activeMinutes).toBe(5 * 60);
    expect(metrics.waitingMinutes).toBe(5 * 60 + (240 - 26) * 60);
    expect(metrics.flowEfficiency).toBeCloseTo(5 / 224, 12);
  });

  it("clusters blocked time by reason and splits the flow by item type", () => {
    expect(metrics.blocked).toEqual([
      { reason: "waiting on vendor", minutes: 120 + (240 - 26) * 60, blocks: 2, items: 2 },
    ]);
    expect(metrics.distribution).toEqual([
      { type: "defect", completed: 0, completedShare: 0, inFlight: 1 },
      { type: "feature", completed: 1, completedShare: 1, inFlight: 0 },
    ]);
  });

  it("cross-checks with Little's law", () => {
    const predicted = ((9 + 215) / 240) * 14_400;
    expect(metrics.littlesLaw.predictedMeanFlowTimeMinutes).toBeCloseTo(predicted, 6);
    expect(metrics.littlesLaw.ratio).toBeCloseTo(540 / predicted, 12);
  });

  it("honours configured clocks: flow time from entering B", () => {
    const fromB = flowMetrics([done], {
      window: { from: 0, to: 10 * D },
      sequence: ["A", "B"],
      clocks: {
        leadStart: { kind: "entered", stepId: null },
        leadStop: { kind: "completed", stepId: null },
        flowStart: { kind: "entered", stepId: "B" },
        flowStop: { kind: "completed", stepId: "B" },
      },
    });
    expect(fromB.flowTime.meanMinutes).toBe(300);
    expect(fromB.flowEfficiency).toBeCloseTo(2 / 5, 12);
  });

  it("has no figures for an empty stream", () => {
    const empty = flowMetrics([], { window: { from: 0, to: D }, sequence: [] });
    expect(empty.flowEfficiency).toBeNull();
    expect(empty.throughput.count).toBe(0);
    expect(empty.littlesLaw.predictedMeanFlowTimeMinutes).toBeNull();
  });
});

describe("ingesting a batch", () => {
  const state = (positions: Record<string, ItemPosition>, extra: Partial<IngestState> = {}): IngestState => ({
    positions: new Map(Object.entries(positions)),
    steps: new Map([
      ["A", { wipLimit: null }],
      ["B", { wipLimit: 1 }],
    ]),
    wip: new Map(),
    policy: "reject",
    recorded: new Set(),
    ...extra,
  });

  it("moves registered items through the steps", () => {
    const result = ingest(
      [
        ev("i", "A", "entered", 1),
        ev("i", "A", "started", 2),
        ev("i", "A", "completed", 3),
        ev("i", "B", "entered", 3),
      ],
      state({ i: NEW_ITEM }),
    );
    expect(result.errors).toEqual([]);
    expect(result.accepted).toHaveLength(4);
    expect(result.moved.get("i")).toEqual({ stepId: "B", phase: "queued", blockedFrom: null, lastAt: 3 });
  });

  it("rejects unknown items and steps, events out of order and impossible moves", () => {
    const result = ingest(
      [
        ev("ghost", "A", "entered", 1),
        ev("i", "Z", "entered", 1),
        ev("i", "A", "started", 1),
        ev("i", "A", "entered", 5),
        ev("i", "A", "started", 4),
        ev("i", "A", "unblocked", 6),
      ],
      state({ i: NEW_ITEM }),
    );
    expect(result.errors.map((e) => [e.index, e.code])).toEqual([
      [0, "unknown-item"],
      [1, "unknown-step"],
      [2, "invalid-transition"],
      [4, "out-of-order"],
      [5, "invalid-transition"],
    ]);
  });

  it("skips duplicates, recorded before or repeated in the batch", () => {
    const entered = ev("i", "A", "entered", 1);
    const result = ingest(
      [entered, ev("i", "A", "started", 2), { ...entered }],
      state({ i: NEW_ITEM }, { recorded: new Set([eventKey(entered)]) }),
    );
    expect(result.duplicates).toEqual([0, 2]);
    expect(result.errors.map((e) => e.code)).toEqual(["invalid-transition"]);
  });

  it("enforces WIP limits by policy: reject, or accept and flag", () => {
    const positions = { i: NEW_ITEM, j: NEW_ITEM };
    const batch = [ev("i", "B", "entered", 1), ev("j", "B", "entered", 2)];
    const rejected = ingest(batch, state(positions));
    expect(rejected.errors).toEqual([expect.objectContaining({ index: 1, code: "wip-limit-reached" })]);
    const flagged = ingest(batch, state(positions, { policy: "flag" }));
    expect(flagged.errors).toEqual([]);
    expect(flagged.accepted.map((a) => a.overWipLimit)).toEqual([false, true]);
    const pulledAfterLeaving = ingest(
      [
        ...batch.slice(0, 1),
        ev("i", "B", "started", 2),
        ev("i", "B", "completed", 3),
        ev("j", "B", "entered", 4),
      ],
      state(positions),
    );
    expect(pulledAfterLeaving.errors).toEqual([]);
  });
});

describe("pull signals", () => {
  it("shows load against limits and what waits upstream, oldest first", () => {
    const board = pullSignals(
      [
        { id: "A", name: "a", wipLimit: 2 },
        { id: "B", name: "b", wipLimit: 1 },
        { id: "C", name: "c", wipLimit: null },
      ],
      [
        { itemId: "new", stepId: null, phase: "new", lastAt: null },
        { itemId: "x", stepId: "A", phase: "completed", lastAt: 20 },
        { itemId: "y", stepId: "A", phase: "completed", lastAt: 10 },
        { itemId: "z", stepId: "B", phase: "active", lastAt: 5 },
        { itemId: "w", stepId: "B", phase: "blocked", lastAt: 5 },
        { itemId: "v", stepId: "C", phase: "completed", lastAt: 5 },
      ],
    );
    expect(
      board.map((s) => [s.stepId, s.wip, s.capacity, s.overLimit, s.waitingUpstream.map((w) => w.itemId)]),
    ).toEqual([
      ["A", 0, 2, false, ["new"]],
      ["B", 2, 0, true, ["y", "x"]],
      ["C", 0, null, false, []],
    ]);
  });
});

/** Valid histories: each item walks the steps in order, maybe blocking, maybe stopping part way. */
const STEPS = ["s0", "s1", "s2"];
const historyArbitrary = (id: string, complete = false) =>
  fc
    .record({
      type: fc.constantFrom("feature", "defect", "risk"),
      start: fc.integer({ min: 0, max: 5 * D }),
      gaps: fc.array(fc.integer({ min: 0, max: 2 * D }), { minLength: 20, maxLength: 20 }),
      blocks: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
      stopAfter: complete ? fc.constant(20) : fc.integer({ min: 1, max: 16 }),
    })
    .map(({ type, start, gaps, blocks, stopAfter }): ItemHistory => {
      const events: FlowEvent[] = [];
      let at = start;
      const push = (stepId: string, kind: EventKind, reason?: string) => {
        at += gaps[events.length] ?? 0;
        events.push(ev(id, stepId, kind, at, reason));
      };
      STEPS.forEach((stepId, i) => {
        push(stepId, "entered");
        push(stepId, "started");
        if (blocks[i]) {
          push(stepId, "blocked", i % 2 ? "review" : "vendor");
          push(stepId, "unblocked");
        }
        push(stepId, "completed");
      });
      return { id, type, events: events.slice(0, stopAfter) };
    });
const historiesArbitrary = fc
  .integer({ min: 0, max: 15 })
  .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => historyArbitrary(`item-${i}`))));
const completeHistoriesArbitrary = fc
  .integer({ min: 0, max: 15 })
  .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => historyArbitrary(`item-${i}`, true))));

describe("flow properties", () => {
  it("every generated history is accepted event by event, and a resend is all duplicates", () => {
    fc.assert(
      fc.property(historiesArbitrary, (histories) => {
        const events = histories.flatMap((h) => h.events);
        const positions = new Map(histories.map((h) => [h.id, NEW_ITEM]));
        const steps = new Map(STEPS.map((s) => [s, { wipLimit: null }]));
        const first = ingest(events, {
          positions,
          steps,
          wip: new Map(),
          policy: "reject",
          recorded: new Set(),
        });
        expect(first.errors).toEqual([]);
        const again = ingest(events, {
          positions: first.moved,
          steps,
          wip: new Map(),
          policy: "reject",
          recorded: new Set(events.map(eventKey)),
        });
        expect(again.duplicates).toHaveLength(events.length);
        expect(again.accepted).toHaveLength(0);
      }),
    );
  });

  it("active + waiting covers every flow clock exactly; efficiency stays in [0, 1]; done + in flight = started", () => {
    fc.assert(
      fc.property(historiesArbitrary, (histories) => {
        const window = { from: 0, to: 100 * D };
        const metrics = flowMetrics(histories, { window, sequence: STEPS });
        let started = 0;
        let clocked = 0;
        for (const h of histories) {
          const start = h.events.find((e) => e.kind === "started");
          if (!start) continue;
          started++;
          const last = h.events[h.events.length - 1] as FlowEvent;
          const done = last.kind === "completed" && last.stepId === "s2";
          clocked += (done ? last.at : window.to) - start.at;
        }
        expect(metrics.activeMinutes + metrics.waitingMinutes).toBeCloseTo(clocked / 60_000, 6);
        expect(metrics.throughput.count + metrics.wip.current).toBe(started);
        if (metrics.flowEfficiency !== null) {
          expect(metrics.flowEfficiency).toBeGreaterThanOrEqual(0);
          expect(metrics.flowEfficiency).toBeLessThanOrEqual(1);
        }
        const { p50Minutes, p85Minutes, p95Minutes } = metrics.flowTime;
        if (p50Minutes !== null)
          expect(
            p50Minutes <= (p85Minutes as number) && (p85Minutes as number) <= (p95Minutes as number),
          ).toBe(true);
      }),
    );
  });

  it("Little's law holds exactly when every item's whole flow lies inside the window", () => {
    fc.assert(
      fc.property(completeHistoriesArbitrary, (histories) => {
        fc.pre(histories.length > 0);
        const metrics = flowMetrics(histories, { window: { from: 0, to: 100 * D }, sequence: STEPS });
        expect(metrics.throughput.count).toBe(histories.length);
        if (metrics.littlesLaw.ratio !== null) expect(metrics.littlesLaw.ratio).toBeCloseTo(1, 9);
      }),
    );
  });

  it("events out of order are refused", () => {
    fc.assert(
      fc.property(historyArbitrary("x"), (history) => {
        const strictly = history.events.every(
          (e, i) => i === 0 || e.at > (history.events[i - 1] as FlowEvent).at,
        );
        fc.pre(history.events.length >= 2 && strictly);
        const swapped = [...history.events];
        [swapped[0], swapped[1]] = [swapped[1] as FlowEvent, swapped[0] as FlowEvent];
        const result = ingest(swapped, {
          positions: new Map([["x", NEW_ITEM]]),
          steps: new Map(STEPS.map((s) => [s, { wipLimit: null }])),
          wip: new Map(),
          policy: "reject",
          recorded: new Set(),
        });
        expect(result.errors.length).toBeGreaterThan(0);
      }),
    );
  });
});
