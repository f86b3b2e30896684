import { randomUUID } from "node:crypto";
import { VALUE_STREAM_TOPICS } from "@okr/events";
import {
  type Api,
  apiFor,
  findMessage,
  startTestService,
  type TestService,
  testBus,
  waitFor,
} from "@okr/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ValueStreamDb } from "../src/database.ts";
import { createValueStreamService } from "../src/service.ts";
import { createStream, knownKeyResults, step } from "./support.ts";

let service: TestService<ValueStreamDb>;
beforeAll(async () => {
  // Short coalescing window so the test sees metrics quickly; still more than one batch per recompute.
  service = await startTestService(createValueStreamService({ intervalMs: 100, minRecomputeMs: 500 }));
});
afterAll(() => service.stop());

const MIN = 60_000;
const T0 = Date.now() - 10 * 24 * 60 * MIN;
const at = (minutes: number) => new Date(T0 + minutes * MIN).toISOString();
const envelope = (value: Buffer | null) => JSON.parse(value?.toString() ?? "{}");
type MetricData = {
  metric: string;
  value: number;
  boundKeyResultIds: string[];
  snapshot: Record<string, number>;
};
/** The first MetricUpdated of a stream on the real topic that matches. */
const metricMessage = (streamId: string, matches: (data: MetricData) => boolean) =>
  findMessage(VALUE_STREAM_TOPICS.metrics, (m) => {
    const e = envelope(m.value);
    return e.type === "okr.value-stream.metric-updated.v1" && e.data.streamId === streamId && matches(e.data);
  });
const settled = (streamId: string) =>
  waitFor("metrics published", async () => {
    const state = await service.runtime.db.streamMetricState.findUnique({ where: { streamId } });
    return state && state.computedVersion === state.version;
  });

/** One item's whole walk through three steps, starting at `start` minutes, waiting `gap` minutes between steps. */
const walk = (itemId: string, [a, b, c]: string[], start: number, gap: number) => {
  const events: { itemId: string; stepId: string; kind: string; at: string }[] = [];
  let t = start;
  for (const stepId of [a, b, c] as string[]) {
    events.push({ itemId, stepId, kind: "entered", at: at(t) });
    t += 10;
    events.push({ itemId, stepId, kind: "started", at: at(t) });
    t += 20;
    events.push({ itemId, stepId, kind: "completed", at: at(t) });
    t += gap;
  }
  return events;
};

describe("flow metrics bound to a key result", () => {
  it("moving work items publishes MetricUpdated on Kafka with the bound KR ids and the new flow efficiency", async () => {
    const tenant = randomUUID();
    const api = apiFor(service, await service.token(["leader"], tenant));
    const { streamId, stepIds } = await createStream(api, [step("Apply"), step("Underwrite"), step("Offer")]);
    const [keyResultId] = await knownKeyResults(service, tenant);
    expect(
      (
        await api.post(`/streams/${streamId}/bindings`, {
          keyResultId,
          metric: "flow-efficiency",
          direction: "increase",
        })
      ).status,
    ).toBe(201);
    expect(
      (
        await api.post(`/streams/${streamId}/work-items`, {
          items: [{ id: "M-1" }, { id: "M-2", type: "defect" }],
        })
      ).json(),
    ).toEqual({
      registered: 2,
      existing: 0,
    });

    // Binding publishes the current value at once. Before any item flowed, it is the map's activity
    // ratio: 30 process / 120 lead minutes.
    const initial = await metricMessage(
      streamId,
      (data) => data.metric === "flow-efficiency" && data.boundKeyResultIds.length > 0,
    );
    expect(envelope(initial.value).data).toMatchObject({
      value: 0.25,
      boundKeyResultIds: [keyResultId],
      unit: "ratio",
    });

    // Flow time runs from the first start to the last completion: 3 x (10 queued + 20 active) + 2 gaps - 10.
    const flowMinutes = (gap: number) => 90 + 2 * gap - 10;
    // M-1 flows with 30 minutes between steps: 60 active of 140 flow minutes.
    const first = await api.post(`/streams/${streamId}/events`, { events: walk("M-1", stepIds, 0, 30) });
    expect(first.json()).toEqual({ accepted: 9, duplicates: 0, flagged: [] });
    const moved = await metricMessage(
      streamId,
      (data) => data.metric === "flow-efficiency" && data.value !== 0.25,
    );
    const data = envelope(moved.value).data;
    expect(data.value).toBeCloseTo(60 / flowMinutes(30), 9);
    expect(data.boundKeyResultIds).toEqual([keyResultId]);
    expect(data.snapshot).toMatchObject({
      measuredFlowEfficiency: data.value,
      throughputCount: 1,
      wipCurrent: 0,
    });
    expect(envelope(moved.value).tenant).toBe(tenant);

    // M-2 waits a day between steps: flow efficiency drops, and a new value is published.
    await api.post(`/streams/${streamId}/events`, { events: walk("M-2", stepIds, 100, 24 * 60) });
    const dropped = await metricMessage(
      streamId,
      (data) => data.metric === "flow-efficiency" && data.snapshot.throughputCount === 2,
    );
    const expected = (60 + 60) / (flowMinutes(30) + flowMinutes(24 * 60));
    expect(envelope(dropped.value).data.value).toBeCloseTo(expected, 9);

    const metrics = (await api.get(`/streams/${streamId}/metrics`)).json();
    expect(metrics.flow.flowEfficiency).toBeCloseTo(expected, 9);
    expect(metrics.flow.throughput.count).toBe(2);
    expect(metrics.flow.distribution).toEqual(
      expect.arrayContaining([expect.objectContaining({ type: "defect", completed: 1 })]),
    );
    expect(metrics.published["flow-efficiency"]).toBeCloseTo(expected, 5);
  });

  it("coalesces: many quick batches publish far fewer metric updates than batches", async () => {
    const tenant = randomUUID();
    const api = apiFor(service, await service.token(["service"], tenant));
    const leader = apiFor(service, await service.token(["admin"], tenant));
    const { streamId, stepIds } = await createStream(leader, [step("A"), step("B"), step("C")]);
    const items = Array.from({ length: 40 }, (_, i) => ({ id: `W-${i}` }));
    await api.post(`/streams/${streamId}/work-items`, { items });
    for (const [i, item] of items.entries()) {
      const response = await api.post(`/streams/${streamId}/events`, {
        events: walk(item.id, stepIds, i * 7, 5 + i),
      });
      expect(response.status).toBe(200);
    }
    await settled(streamId);
    const metrics = (await api.get(`/streams/${streamId}/metrics`)).json();
    expect(metrics.flow.throughput.count).toBe(40);
    expect(metrics.published.throughput).toBeCloseTo(metrics.flow.throughput.perDay, 5);
    // 40 batches, one recompute per half second at most: a handful of throughput updates on Kafka, not 40
    // (one partition per stream, so every earlier update arrives before the last one).
    const updates: number[] = [];
    await metricMessage(streamId, (data) => {
      if (data.metric !== "throughput") return false;
      updates.push(data.snapshot.throughputCount as number);
      return data.snapshot.throughputCount === 40;
    });
    expect(updates.length).toBeGreaterThan(1);
    expect(updates.length).toBeLessThan(15);
    expect(updates).toEqual([...updates].sort((a, b) => a - b));
  });
});

describe("pull and WIP limits", () => {
  it("rejects a move into a full step under the reject policy and shows what waits upstream", async () => {
    const api = apiFor(service, await service.token(["leader"]));
    const { streamId, stepIds } = await createStream(api, [step("Build"), step("Test", { wipLimit: 1 })]);
    const [build, test] = stepIds as [string, string];
    await api.post(`/streams/${streamId}/work-items`, { items: [{ id: "a" }, { id: "b" }, { id: "c" }] });
    const through = (id: string, t: number) => [
      { itemId: id, stepId: build, kind: "entered", at: at(t) },
      { itemId: id, stepId: build, kind: "started", at: at(t + 1) },
      { itemId: id, stepId: build, kind: "completed", at: at(t + 2) },
    ];
    expect(
      (await api.post(`/streams/${streamId}/events`, { events: [...through("a", 0), ...through("b", 10)] }))
        .status,
    ).toBe(200);
    expect(
      (
        await api.post(`/streams/${streamId}/events`, {
          events: [{ itemId: "a", stepId: test, kind: "entered", at: at(20) }],
        })
      ).status,
    ).toBe(200);

    const board = (await api.get(`/streams/${streamId}/pull`)).json();
    expect(board.steps).toEqual([
      expect.objectContaining({
        stepId: build,
        wip: 0,
        capacity: null,
        waitingUpstream: [{ itemId: "c", since: null }],
      }),
      expect.objectContaining({
        stepId: test,
        wip: 1,
        wipLimit: 1,
        capacity: 0,
        waitingUpstream: [{ itemId: "b", since: at(12) }],
      }),
    ]);

    const full = await api.post(`/streams/${streamId}/events`, {
      events: [{ itemId: "b", stepId: test, kind: "entered", at: at(21) }],
    });
    expect(full.status).toBe(422);
    expect(full.json().type).toMatch(/wip-limit-reached/);

    // Under the flag policy the same move is accepted and flagged.
    expect((await api.patch(`/streams/${streamId}`, { wipPolicy: "flag" })).status).toBe(200);
    const flagged = await api.post(`/streams/${streamId}/events`, {
      events: [{ itemId: "b", stepId: test, kind: "entered", at: at(21) }],
    });
    expect(flagged.json()).toEqual({
      accepted: 1,
      duplicates: 0,
      flagged: [{ index: 0, itemId: "b", stepId: test }],
    });
    const after = (await api.get(`/streams/${streamId}/pull`)).json();
    expect(after.steps[1]).toMatchObject({ wip: 2, overLimit: true });
    expect((await api.get(`/streams/${streamId}/work-items/b`)).json().events.at(-1)).toMatchObject({
      kind: "entered",
      overWipLimit: true,
    });
  });
});

describe("bad input", () => {
  let api: Api;
  let tenant: string;
  let streamId: string;
  let mapId: string;
  let stepIds: string[];
  beforeAll(async () => {
    tenant = randomUUID();
    api = apiFor(service, await service.token(["admin"], tenant));
    ({ streamId, mapId, stepIds } = await createStream(api, [
      step("A"),
      step("B", { wipLimit: 1 }),
      step("C"),
    ]));
    await api.post(`/streams/${streamId}/work-items`, { items: [{ id: "x" }, { id: "y" }] });
    await api.post(`/streams/${streamId}/events`, {
      events: [
        { itemId: "x", stepId: stepIds[0], kind: "entered", at: at(0) },
        { itemId: "x", stepId: stepIds[0], kind: "started", at: at(5) },
        { itemId: "y", stepId: stepIds[1], kind: "entered", at: at(5) },
      ],
    });
    // Let the metric publisher and the relay settle first: their rows are not what the table is about.
    await settled(streamId);
    await waitFor(
      "outbox relayed",
      async () => (await service.runtime.db.outboxEvent.count({ where: { tenant } })) === 0,
    );
  });

  const snapshot = async () => {
    const db = service.runtime.db;
    return {
      events: await db.workItemEvent.count({ where: { streamId } }),
      items: await db.workItem.findMany({ where: { streamId }, orderBy: { itemId: "asc" } }),
      steps: await db.step.findMany({ where: { mapId }, orderBy: { position: "asc" } }),
      map: await db.streamMap.findUnique({ where: { id: mapId } }),
      outbox: await db.outboxEvent.count({ where: { tenant } }),
      metricVersion: (await db.streamMetricState.findUnique({ where: { streamId } }))?.version,
    };
  };
  const ev = (itemId: string, stepIndex: number, kind: string, minutes: number) => ({
    itemId,
    stepId: stepIds[stepIndex] ?? randomUUID(),
    kind,
    at: at(minutes),
  });

  const cases: [string, () => [string, string, unknown], number, RegExp?][] = [
    [
      "negative process time",
      () => ["POST", `/maps/${mapId}/steps`, step("bad", { processMinutes: -1 })],
      400,
    ],
    ["non-numeric wait", () => ["POST", `/maps/${mapId}/steps`, step("bad", { waitMinutes: "lots" })], 400],
    [
      "%C&A above 1",
      () => ["POST", `/maps/${mapId}/steps`, step("bad", { percentCompleteAccurate: 1.5 })],
      400,
    ],
    [
      "%C&A below 0 on a patch",
      () => ["PATCH", `/steps/${stepIds[0]}`, { percentCompleteAccurate: -0.2 }],
      400,
    ],
    [
      "wait as time and inventory (schema-valid, so a broken rule)",
      () => ["POST", `/maps/${mapId}/steps`, step("bad", { waitInventoryUnits: 5 })],
      422,
    ],
    [
      "unknown waste tag",
      () => ["POST", `/maps/${mapId}/steps`, step("bad", { wasteTags: ["laziness"] })],
      400,
    ],
    [
      "steps ordered into a loop",
      () => ["PUT", `/maps/${mapId}/sequence`, { stepIds: [stepIds[0], stepIds[1], stepIds[2], stepIds[1]] }],
      422,
      /appears twice/,
    ],
    [
      "rework link pointing downstream",
      () => [
        "PUT",
        `/maps/${mapId}/sequence`,
        { stepIds, reworkLinks: [{ fromStepId: stepIds[0], toStepId: stepIds[2], rate: 0.1 }] },
      ],
      422,
      /downstream/,
    ],
    [
      "an event for an unknown item",
      () => ["POST", `/streams/${streamId}/events`, { events: [ev("ghost", 0, "entered", 10)] }],
      422,
      /not registered/,
    ],
    [
      "an event for an unknown step",
      () => ["POST", `/streams/${streamId}/events`, { events: [ev("x", 9, "completed", 10)] }],
      422,
      /not a step/,
    ],
    [
      "an event out of order",
      () => ["POST", `/streams/${streamId}/events`, { events: [ev("x", 0, "completed", 1)] }],
      422,
      /earlier than/,
    ],
    [
      "an impossible move",
      () => ["POST", `/streams/${streamId}/events`, { events: [ev("y", 1, "completed", 10)] }],
      422,
      /needs the item to be active/,
    ],
    [
      "a move into a full step",
      () => [
        "POST",
        `/streams/${streamId}/events`,
        { events: [ev("x", 0, "completed", 10), ev("x", 1, "entered", 11)] },
      ],
      422,
      /WIP limit/,
    ],
    [
      "a good event beside a bad one",
      () => [
        "POST",
        `/streams/${streamId}/events`,
        { events: [ev("x", 0, "completed", 10), ev("ghost", 0, "entered", 10)] },
      ],
      422,
    ],
    [
      "a time that is not a time",
      () => [
        "POST",
        `/streams/${streamId}/events`,
        { events: [{ ...ev("x", 0, "completed", 10), at: "yesterday" }] },
      ],
      400,
    ],
    [
      "an event in the future",
      () => [
        "POST",
        `/streams/${streamId}/events`,
        { events: [{ ...ev("x", 0, "completed", 10), at: new Date(Date.now() + 86_400_000).toISOString() }] },
      ],
      422,
    ],
    [
      "an unknown event kind",
      () => ["POST", `/streams/${streamId}/events`, { events: [{ ...ev("x", 0, "finished", 10) }] }],
      400,
    ],
    ["an empty batch", () => ["POST", `/streams/${streamId}/events`, { events: [] }], 400],
    [
      "another tenant's stream",
      () => ["POST", `/streams/${randomUUID()}/events`, { events: [ev("x", 0, "completed", 10)] }],
      404,
    ],
  ];

  it.each(cases)("%s: 4xx problem+json and nothing changes", async (_name, request, status, detail) => {
    const before = await snapshot();
    const [method, url, payload] = request();
    const response = await (method === "POST"
      ? api.post(url, payload)
      : method === "PUT"
        ? api.put(url, payload)
        : api.patch(url, payload));
    expect(response.status).toBe(status);
    expect(response.headers["content-type"]).toMatch(/application\/problem\+json/);
    if (detail) expect(response.json().detail).toMatch(detail);
    expect(await snapshot()).toEqual(before);
  });

  it("a duplicate event is an idempotent no-op", async () => {
    const before = await snapshot();
    const again = await api.post(`/streams/${streamId}/events`, { events: [ev("x", 0, "started", 5)] });
    expect(again.json()).toEqual({ accepted: 0, duplicates: 1, flagged: [] });
    expect(await snapshot()).toEqual(before);
  });

  it("a member cannot change the map, and nothing reaches Kafka from the refused requests", async () => {
    const member = apiFor(service, await service.token(["member"], tenant));
    expect((await member.post(`/maps/${mapId}/steps`, step("sneaky"))).status).toBe(403);
    // A valid move afterwards is the sentinel: every work-item message of this tenant up to it must be a valid one.
    const sentinel = ev("x", 0, "completed", 20);
    expect((await api.post(`/streams/${streamId}/events`, { events: [sentinel] })).status).toBe(200);
    const seen: { itemId: string; kind: string }[] = [];
    await findMessage(
      VALUE_STREAM_TOPICS.workItems,
      (m) => {
        const e = envelope(m.value);
        if (e.tenant !== tenant || e.type !== "okr.value-stream.work-items-moved.v1") return false;
        for (const move of e.data.moves) seen.push({ itemId: move.itemId, kind: move.kind });
        return seen.some((m) => m.itemId === "x" && m.kind === "completed");
      },
      { bus: testBus() },
    );
    // Keyed by stream: every accepted move, in order, and nothing from the refused requests.
    expect(seen).toEqual([
      { itemId: "x", kind: "entered" },
      { itemId: "x", kind: "started" },
      { itemId: "y", kind: "entered" },
      { itemId: "x", kind: "completed" },
    ]);
  });
});
