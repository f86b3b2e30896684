import { MINUTE_MS, mean, percentileOfSorted, ratio } from "./stats.ts";

export const EVENT_KINDS = ["entered", "started", "blocked", "unblocked", "completed"] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

/** One timestamped move of a work item in a step (`at` in epoch milliseconds). */
export interface FlowEvent {
  itemId: string;
  stepId: string;
  kind: EventKind;
  at: number;
  reason?: string | null;
}

/**
 * Where an item is: `queued` (entered a step, not started: waiting), `active` (being worked on), `blocked`
 * (waiting, with a reason), `completed` (done with `stepId`, waiting to be pulled into the next step).
 */
export type Phase = "new" | "queued" | "active" | "blocked" | "completed";

export interface ItemPosition {
  stepId: string | null;
  phase: Phase;
  /** The phase an unblock returns to. */
  blockedFrom: "queued" | "active" | null;
  lastAt: number | null;
}

export const NEW_ITEM: ItemPosition = { stepId: null, phase: "new", blockedFrom: null, lastAt: null };

export const IN_STEP: ReadonlySet<Phase> = new Set(["queued", "active", "blocked"]);

export type RejectionCode = "out-of-order" | "invalid-transition" | "invalid-time";
export interface Rejection {
  code: RejectionCode;
  detail: string;
}

/** The item's next position after `event`, or why the event cannot happen now. */
export function advance(position: ItemPosition, event: FlowEvent): ItemPosition | Rejection {
  if (!Number.isFinite(event.at))
    return { code: "invalid-time", detail: "the event time is not a valid instant" };
  if (position.lastAt !== null && event.at < position.lastAt) {
    return {
      code: "out-of-order",
      detail: `${event.kind} at ${new Date(event.at).toISOString()} is earlier than the item's last event at ${new Date(position.lastAt).toISOString()}`,
    };
  }
  const here = position.stepId === event.stepId;
  const wrong = (expected: string): Rejection => ({
    code: "invalid-transition",
    detail: `${event.kind} needs ${expected}; the item is ${describe(position)}`,
  });
  const at = event.at;
  switch (event.kind) {
    case "entered":
      if (position.phase !== "new" && position.phase !== "completed")
        return wrong("the item to have completed its current step");
      return { stepId: event.stepId, phase: "queued", blockedFrom: null, lastAt: at };
    case "started":
      if (!here || position.phase !== "queued") return wrong("the item to be queued in this step");
      return { ...position, phase: "active", lastAt: at };
    case "blocked":
      if (!here || (position.phase !== "queued" && position.phase !== "active"))
        return wrong("the item to be queued or active in this step");
      return { ...position, phase: "blocked", blockedFrom: position.phase, lastAt: at };
    case "unblocked":
      if (!here || position.phase !== "blocked") return wrong("the item to be blocked in this step");
      return { ...position, phase: position.blockedFrom ?? "queued", blockedFrom: null, lastAt: at };
    case "completed":
      if (!here || position.phase !== "active")
        return wrong("the item to be active (started, not blocked) in this step");
      return { ...position, phase: "completed", lastAt: at };
  }
}

function describe(position: ItemPosition): string {
  if (position.phase === "new") return "not in any step yet";
  return `${position.phase} in step ${position.stepId}`;
}

export const isRejection = (value: ItemPosition | Rejection): value is Rejection => "code" in value;

export const eventKey = (event: Pick<FlowEvent, "itemId" | "stepId" | "kind" | "at">) =>
  `${event.itemId}\u0000${event.stepId}\u0000${event.kind}\u0000${event.at}`;

export type WipPolicy = "reject" | "flag";

export interface IngestState {
  /** Registered items and where they are; an event for any other item is rejected. */
  positions: Map<string, ItemPosition>;
  /** The steps events may name, with their WIP limits. */
  steps: Map<string, { wipLimit: number | null }>;
  /** Items currently in each step (queued, active or blocked). */
  wip: Map<string, number>;
  policy: WipPolicy;
  /** Keys (eventKey) of events already recorded: sending one again is a no-op. */
  recorded: ReadonlySet<string>;
}

export interface AcceptedEvent extends FlowEvent {
  index: number;
  overWipLimit: boolean;
}

export interface IngestError {
  index: number;
  code: RejectionCode | "unknown-item" | "unknown-step" | "wip-limit-reached";
  detail: string;
}

export interface IngestResult {
  accepted: AcceptedEvent[];
  /** Indexes of events already recorded (or repeated within the batch): skipped. */
  duplicates: number[];
  errors: IngestError[];
  /** The new position of every item the batch moved. */
  moved: Map<string, ItemPosition>;
}

/**
 * Applies a batch of events in the order given, all or nothing: the caller writes `accepted` only when
 * `errors` is empty. Duplicates are skipped, never errors, so integrations can resend safely.
 */
export function ingest(events: readonly FlowEvent[], state: IngestState): IngestResult {
  const accepted: AcceptedEvent[] = [];
  const duplicates: number[] = [];
  const errors: IngestError[] = [];
  const moved = new Map<string, ItemPosition>();
  const wip = new Map(state.wip);
  const seen = new Set<string>();
  events.forEach((event, index) => {
    const key = eventKey(event);
    if (state.recorded.has(key) || seen.has(key)) {
      duplicates.push(index);
      return;
    }
    const position = moved.get(event.itemId) ?? state.positions.get(event.itemId);
    if (!position) {
      errors.push({
        index,
        code: "unknown-item",
        detail: `work item ${event.itemId} is not registered in this stream`,
      });
      return;
    }
    const step = state.steps.get(event.stepId);
    if (!step) {
      errors.push({
        index,
        code: "unknown-step",
        detail: `step ${event.stepId} is not a step of this stream's current-state map`,
      });
      return;
    }
    const next = advance(position, event);
    if (isRejection(next)) {
      errors.push({ index, ...next, detail: `item ${event.itemId}: ${next.detail}` });
      return;
    }
    let overWipLimit = false;
    if (event.kind === "entered") {
      const count = wip.get(event.stepId) ?? 0;
      if (step.wipLimit !== null && count >= step.wipLimit) {
        if (state.policy === "reject") {
          errors.push({
            index,
            code: "wip-limit-reached",
            detail: `step ${event.stepId} is at its WIP limit of ${step.wipLimit}; pull ${event.itemId} in when an item leaves`,
          });
          return;
        }
        overWipLimit = true;
      }
      wip.set(event.stepId, count + 1);
    } else if (event.kind === "completed") {
      wip.set(event.stepId, (wip.get(event.stepId) ?? 1) - 1);
    }
    seen.add(key);
    moved.set(event.itemId, next);
    accepted.push({ ...event, index, overWipLimit });
  });
  return { accepted, duplicates, errors, moved };
}

/** Which event starts or stops a clock; `stepId` null means any step (for a stop: the map's last step). */
export interface ClockEdge {
  kind: EventKind;
  stepId: string | null;
}

export interface Clocks {
  leadStart: ClockEdge;
  leadStop: ClockEdge;
  flowStart: ClockEdge;
  flowStop: ClockEdge;
}

/** Lead time runs from the first entry into the stream; flow time from the first start of work; both stop at the last step's completion. */
export const DEFAULT_CLOCKS: Clocks = {
  leadStart: { kind: "entered", stepId: null },
  leadStop: { kind: "completed", stepId: null },
  flowStart: { kind: "started", stepId: null },
  flowStop: { kind: "completed", stepId: null },
};

export interface ItemHistory {
  id: string;
  type: string;
  /** In the order they happened (as ingested). */
  events: readonly FlowEvent[];
}

export interface FlowOptions {
  window: { from: number; to: number };
  clocks?: Clocks;
  /** Step ids in flow order (the current-state map): a stop edge without a step means the last one. */
  sequence: readonly string[];
}

export interface Distribution {
  count: number;
  meanMinutes: number | null;
  p50Minutes: number | null;
  p85Minutes: number | null;
  p95Minutes: number | null;
}

export interface FlowMetrics {
  window: { from: string; to: string; days: number };
  /** Flow velocity: items finished in the window. */
  throughput: { count: number; perDay: number };
  /** Flow load: items started and not finished, at the window's end and averaged over it. */
  wip: { current: number; average: number };
  flowTime: Distribution;
  leadTime: Distribution;
  /** Active time / (active + waiting) time of all items inside their flow clock and the window. */
  flowEfficiency: number | null;
  activeMinutes: number;
  waitingMinutes: number;
  distribution: { type: string; completed: number; completedShare: number; inFlight: number }[];
  blocked: { reason: string; minutes: number; blocks: number; items: number }[];
  /** WIP = throughput x flow time, when the system is stable: a cross-check of the figures above. */
  littlesLaw: {
    averageWip: number;
    throughputPerDay: number;
    predictedMeanFlowTimeMinutes: number | null;
    observedMeanFlowTimeMinutes: number | null;
    /** observed / predicted (1 = the law holds exactly). */
    ratio: number | null;
  };
}

const DAY_MS = 24 * 60 * MINUTE_MS;

function distribution(minutes: number[]): Distribution {
  const sorted = Float64Array.from(minutes).sort();
  const list = Array.from(sorted);
  return {
    count: list.length,
    meanMinutes: mean(list),
    p50Minutes: percentileOfSorted(list, 0.5),
    p85Minutes: percentileOfSorted(list, 0.85),
    p95Minutes: percentileOfSorted(list, 0.95),
  };
}

const normalizeReason = (reason: string | null | undefined) =>
  reason?.trim().toLowerCase().replace(/\s+/g, " ") || "unspecified";

/** Flow metrics of a stream's work items over a window (events after the window's end have not happened yet). */
export function flowMetrics(items: Iterable<ItemHistory>, options: FlowOptions): FlowMetrics {
  const { from, to } = options.window;
  const span = Math.max(0, to - from);
  const clocks = options.clocks ?? DEFAULT_CLOCKS;
  const lastStep = options.sequence[options.sequence.length - 1] ?? null;
  const startsAt = (edge: ClockEdge, event: FlowEvent) =>
    event.kind === edge.kind && (edge.stepId === null || edge.stepId === event.stepId);
  const stopsAt = (edge: ClockEdge, event: FlowEvent) =>
    event.kind === edge.kind && (edge.stepId ?? lastStep) === event.stepId;

  const flowTimes: number[] = [];
  const leadTimes: number[] = [];
  let wipNow = 0;
  let wipIntegral = 0;
  let active = 0;
  let waiting = 0;
  const byType = new Map<string, { completed: number; inFlight: number }>();
  const blocked = new Map<string, { minutes: number; blocks: number; items: Set<string> }>();

  for (const item of items) {
    const events = item.events;
    let count = 0;
    while (count < events.length && (events[count] as FlowEvent).at <= to) count++;
    if (count === 0) continue;
    let flowStart: number | null = null;
    let leadStart: number | null = null;
    for (let i = 0; i < count; i++) {
      const event = events[i] as FlowEvent;
      if (flowStart === null && startsAt(clocks.flowStart, event)) flowStart = event.at;
      if (leadStart === null && startsAt(clocks.leadStart, event)) leadStart = event.at;
      if (flowStart !== null && leadStart !== null) break;
    }
    const last = events[count - 1] as FlowEvent;
    const flowDone = stopsAt(clocks.flowStop, last);
    const leadDone = stopsAt(clocks.leadStop, last);
    const end = flowDone ? last.at : to;
    const type = byType.get(item.type) ?? { completed: 0, inFlight: 0 };
    byType.set(item.type, type);

    if (flowStart !== null) {
      if (flowDone && last.at >= from) {
        flowTimes.push((last.at - flowStart) / MINUTE_MS);
        type.completed++;
      }
      if (!flowDone) {
        wipNow++;
        type.inFlight++;
      }
      wipIntegral += Math.max(0, Math.min(end, to) - Math.max(flowStart, from));
    }
    if (leadStart !== null && leadDone && last.at >= from) leadTimes.push((last.at - leadStart) / MINUTE_MS);

    // Time between consecutive events is active while the item is being worked on, else waiting.
    const clipFrom = Math.max(from, flowStart ?? Number.POSITIVE_INFINITY);
    const clipTo = Math.min(to, end);
    let phase: Phase = "new";
    let blockedFrom: Phase = "queued";
    let blockReason = "";
    for (let i = 0; i < count; i++) {
      const event = events[i] as FlowEvent;
      if (event.kind === "entered") phase = "queued";
      else if (event.kind === "started") phase = "active";
      else if (event.kind === "completed") phase = "completed";
      else if (event.kind === "blocked") {
        blockedFrom = phase;
        phase = "blocked";
        blockReason = normalizeReason(event.reason);
      } else if (event.kind === "unblocked") phase = blockedFrom;
      const segmentEnd =
        i + 1 < count
          ? (events[i + 1] as FlowEvent).at
          : i === count - 1 && (flowDone || leadDone)
            ? event.at
            : to;
      const overlap = Math.max(0, Math.min(segmentEnd, clipTo) - Math.max(event.at, clipFrom));
      if (overlap > 0) {
        if (phase === "active") active += overlap;
        else waiting += overlap;
      }
      if (phase === "blocked") {
        const inWindow = Math.max(0, Math.min(segmentEnd, to) - Math.max(event.at, from));
        if (inWindow > 0 || (event.at >= from && event.at <= to)) {
          const cluster = blocked.get(blockReason) ?? { minutes: 0, blocks: 0, items: new Set<string>() };
          cluster.minutes += inWindow / MINUTE_MS;
          cluster.blocks++;
          cluster.items.add(item.id);
          blocked.set(blockReason, cluster);
        }
      }
    }
  }

  const windowMinutes = span / MINUTE_MS;
  const days = span / DAY_MS;
  const averageWip = span > 0 ? wipIntegral / span : 0;
  const perDay = days > 0 ? flowTimes.length / days : 0;
  const flowTime = distribution(flowTimes);
  const perMinute = windowMinutes > 0 ? flowTimes.length / windowMinutes : 0;
  const predicted = perMinute > 0 ? averageWip / perMinute : null;
  const completedTotal = flowTimes.length;
  return {
    window: { from: new Date(from).toISOString(), to: new Date(to).toISOString(), days },
    throughput: { count: completedTotal, perDay },
    wip: { current: wipNow, average: averageWip },
    flowTime,
    leadTime: distribution(leadTimes),
    flowEfficiency: ratio(active, active + waiting),
    activeMinutes: active / MINUTE_MS,
    waitingMinutes: waiting / MINUTE_MS,
    distribution: [...byType.entries()]
      .filter(([, counts]) => counts.completed + counts.inFlight > 0)
      .map(([type, counts]) => ({
        type,
        completed: counts.completed,
        completedShare: completedTotal > 0 ? counts.completed / completedTotal : 0,
        inFlight: counts.inFlight,
      }))
      .sort((a, b) => b.completed + b.inFlight - (a.completed + a.inFlight) || a.type.localeCompare(b.type)),
    blocked: [...blocked.entries()]
      .map(([reason, cluster]) => ({
        reason,
        minutes: cluster.minutes,
        blocks: cluster.blocks,
        items: cluster.items.size,
      }))
      .sort((a, b) => b.minutes - a.minutes || a.reason.localeCompare(b.reason)),
    littlesLaw: {
      averageWip,
      throughputPerDay: perDay,
      predictedMeanFlowTimeMinutes: predicted,
      observedMeanFlowTimeMinutes: flowTime.meanMinutes,
      ratio: predicted && flowTime.meanMinutes !== null ? flowTime.meanMinutes / predicted : null,
    },
  };
}

export interface PullStep {
  id: string;
  name: string;
  wipLimit: number | null;
}

export interface PullPosition {
  itemId: string;
  stepId: string | null;
  phase: Phase;
  lastAt: number | null;
}

export interface PullSignal {
  stepId: string;
  name: string;
  wip: number;
  wipLimit: number | null;
  /** Free slots under the WIP limit (null: no limit). */
  capacity: number | null;
  /** Over its limit (possible under the `flag` policy). */
  overLimit: boolean;
  /** Items ready to be pulled into this step, oldest first: done upstream (or, for the first step, never entered). */
  waitingUpstream: { itemId: string; since: string | null }[];
}

/** The pull board: for each step, its load against its WIP limit and what waits upstream to be pulled. */
export function pullSignals(steps: readonly PullStep[], positions: Iterable<PullPosition>): PullSignal[] {
  const index = new Map(steps.map((step, i) => [step.id, i]));
  const wip = new Array<number>(steps.length).fill(0);
  const waiting: { itemId: string; since: number | null }[][] = steps.map(() => []);
  for (const position of positions) {
    if (position.phase === "new") {
      if (steps.length > 0) waiting[0]?.push({ itemId: position.itemId, since: position.lastAt });
      continue;
    }
    const i = position.stepId === null ? undefined : index.get(position.stepId);
    if (i === undefined) continue;
    if (IN_STEP.has(position.phase)) wip[i] = (wip[i] as number) + 1;
    else if (position.phase === "completed" && i + 1 < steps.length)
      waiting[i + 1]?.push({ itemId: position.itemId, since: position.lastAt });
  }
  return steps.map((step, i) => {
    const load = wip[i] as number;
    return {
      stepId: step.id,
      name: step.name,
      wip: load,
      wipLimit: step.wipLimit,
      capacity: step.wipLimit === null ? null : Math.max(0, step.wipLimit - load),
      overLimit: step.wipLimit !== null && load > step.wipLimit,
      waitingUpstream: (waiting[i] ?? [])
        .sort((a, b) => (a.since ?? 0) - (b.since ?? 0) || a.itemId.localeCompare(b.itemId))
        .map((entry) => ({
          itemId: entry.itemId,
          since: entry.since === null ? null : new Date(entry.since).toISOString(),
        })),
    };
  });
}
