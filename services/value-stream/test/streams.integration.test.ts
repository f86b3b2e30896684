import { randomUUID } from "node:crypto";
import { VALUE_STREAM_TOPICS } from "@okr/events";
import { apiFor, findMessage, startTestService, type TestService } from "@okr/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ValueStreamDb } from "../src/database.ts";
import { createValueStreamService } from "../src/service.ts";
import { createStream, knownKeyResults, step } from "./support.ts";

let service: TestService<ValueStreamDb>;
beforeAll(async () => {
  service = await startTestService(createValueStreamService({ intervalMs: 100, minRecomputeMs: 200 }));
});
afterAll(() => service.stop());

const current = [
  step("Take application", {
    classification: "necessary-non-value-adding",
    processMinutes: 15,
    waitMinutes: 60,
    percentCompleteAccurate: 0.8,
  }),
  step("Underwrite", {
    processMinutes: 45,
    waitMinutes: undefined,
    waitInventoryUnits: 40,
    percentCompleteAccurate: 0.9,
    wipLimit: 5,
  }),
  step("Re-key data", {
    classification: "waste",
    processMinutes: 20,
    waitMinutes: 120,
    wasteTags: ["extra-processing", "defects"],
  }),
  step("Offer", { processMinutes: 20, waitMinutes: 0, percentCompleteAccurate: 1 }),
];

describe("value stream maps", () => {
  it("computes a map's figures, converting inventory at the daily demand", async () => {
    const api = apiFor(service, await service.token(["leader"]));
    const { mapId, stepIds } = await createStream(api, current);
    const map = (await api.get(`/maps/${mapId}`)).json();
    // 40 units at 20 a day = 2 working days of 480 minutes.
    expect(map.steps[1]).toMatchObject({ waitMinutes: 960, waitInventoryUnits: 40, wipLimit: 5 });
    expect(map.metrics).toMatchObject({
      leadTimeMinutes: 100 + 60 + 960 + 120,
      // The same times in working days of the stream's 480 available minutes, beside the minutes.
      workingDayMinutes: 480,
      leadTimeDays: (100 + 60 + 960 + 120) / 480,
      waitTimeDays: (60 + 960 + 120) / 480,
      processTimeMinutes: 100,
      taktTimeMinutes: 24,
      rolledPercentCompleteAccurate: 0.8 * 0.9 * 0.9 * 1,
      wasteTagCounts: { "extra-processing": 1, defects: 1 },
    });
    expect(map.metrics.flowEfficiency).toBeCloseTo(100 / 1240, 12);
    expect(map.metrics.waitRanking[0]).toMatchObject({ stepId: stepIds[1], waitMinutes: 960 });
  });

  it("edits steps, reorders them with a declared rework loop, and publishes every change", async () => {
    const tenant = randomUUID();
    const api = apiFor(service, await service.token(["admin"], tenant));
    const { mapId, stepIds } = await createStream(api, current);
    const [take, underwrite, rekey, offer] = stepIds as [string, string, string, string];

    const added = await api.post(
      `/maps/${mapId}/steps`,
      step("Check credit", { position: 1, processMinutes: 5, waitMinutes: 10 }),
    );
    expect(added.status).toBe(201);
    expect(added.json().position).toBe(1);
    const patched = await api.patch(`/steps/${underwrite}`, { waitMinutes: 240, wasteTags: ["waiting"] });
    expect(patched.json()).toMatchObject({
      waitMinutes: 240,
      waitInventoryUnits: null,
      wasteTags: ["waiting"],
      position: 2,
    });
    expect((await api.delete(`/steps/${rekey}`)).status).toBe(204);

    const sequence = await api.put(`/maps/${mapId}/sequence`, {
      stepIds: [take, added.json().id, underwrite, offer],
      reworkLinks: [{ fromStepId: offer, toStepId: underwrite, rate: 0.25 }],
    });
    expect(sequence.status).toBe(200);
    const map = sequence.json();
    expect(map.steps.map((s: { name: string }) => s.name)).toEqual([
      "Take application",
      "Check credit",
      "Underwrite",
      "Offer",
    ]);
    expect(map.metrics.leadTimeMinutes).toBe(75 + 15 + 285 + 20);
    // A quarter of the offers loop back through underwrite and offer: 1/3 extra pass on average.
    expect(map.metrics.expectedReworkMinutes).toBeCloseTo((0.25 / 0.75) * (285 + 20), 9);

    const removed = await findMessage(VALUE_STREAM_TOPICS.streams, (m) => {
      const e = JSON.parse(m.value?.toString() ?? "{}");
      return (
        e.type === "okr.value-stream.step-changed.v1" && e.data.stepId === rekey && e.data.removed === true
      );
    });
    expect(JSON.parse(removed.value?.toString() ?? "{}")).toMatchObject({
      tenant,
      data: { wasteTags: ["extra-processing", "defects"] },
    });
  });

  it("compares the current state with a future state", async () => {
    const api = apiFor(service, await service.token(["leader"]));
    const { streamId, stepIds } = await createStream(api, current);
    const future = await api.post(`/streams/${streamId}/maps`, { name: "Next quarter" });
    expect(future.status).toBe(201);
    expect(future.json()).toMatchObject({ state: "future", metrics: { leadTimeMinutes: 1240 } });
    const copies = future.json().steps as { id: string; name: string }[];
    expect(copies.map((s) => s.id)).not.toContain(stepIds[0]);
    // Remove the waste and pull underwriting to one day of inventory.
    await api.delete(`/steps/${copies[2]?.id}`);
    await api.patch(`/steps/${copies[1]?.id}`, { waitInventoryUnits: 20 });

    const metrics = (await api.get(`/streams/${streamId}/metrics`)).json();
    const deltas = Object.fromEntries(
      metrics.futureStates[0].deltas.map((d: { metric: string }) => [d.metric, d]),
    );
    expect(deltas.leadTimeMinutes).toMatchObject({ current: 1240, future: 75 + 525 + 20, delta: 620 - 1240 });
    expect(deltas.stepCount).toMatchObject({ delta: -1 });
    expect(deltas.flowEfficiency.delta).toBeGreaterThan(0);
    // The current state is untouched by edits of the future one.
    expect(metrics.map.leadTimeMinutes).toBe(1240);
    expect(metrics.map).toMatchObject({ leadTimeDays: 1240 / 480, workingDayMinutes: 480 });
    expect(metrics.map.waitRanking[0]).toMatchObject({ waitMinutes: 960, waitDays: 2 });
    expect(metrics.futureStates[0].map.leadTimeDays).toBe(620 / 480);
    expect(metrics.flow).toBeTypeOf("object");
  });

  it("renders the map as SVG with steps, times, %C&A, waste tags and the timeline ladder", async () => {
    const api = apiFor(service, await service.token(["member"]));
    const tenant = randomUUID();
    const admin = apiFor(service, await service.token(["admin"], tenant));
    const { streamId, mapId, stepIds } = await createStream(admin, [...current, step("<Ship & bill>")]);
    await admin.put(`/maps/${mapId}/sequence`, {
      stepIds,
      reworkLinks: [{ fromStepId: stepIds[3], toStepId: stepIds[1], rate: 0.1 }],
    });
    const member = apiFor(service, await service.token(["member"], tenant));
    const svg = await member.get(`/streams/${streamId}/map.svg`);
    expect(svg.status).toBe(200);
    expect(svg.headers["content-type"]).toMatch(/image\/svg\+xml/);
    const body = svg.body;
    expect(body.startsWith("<svg")).toBe(true);
    expect(body.match(/<g class="step( over-takt)?"/g)).toHaveLength(5);
    // Underwriting (45 min) is slower than the 24 min takt.
    expect(body.match(/<g class="step over-takt"/g)).toHaveLength(1);
    expect(body).toContain("&lt;Ship &amp; bill&gt;");
    expect(body).toContain("C/T 45 min");
    // 40 units before underwriting at 20 a day: 2 working days of inventory.
    expect(body).toMatch(/class="inventory-days"[^>]*>2 days</);
    expect(body).toContain(">40 units<");
    expect(body).toContain("%C&amp;A 80%");
    expect(body).toMatch(/class="waste"[^>]*>extra-processing</);
    expect(body).toMatch(/class="demand"[^>]*>20 units\/day</);
    expect(body.match(/<title>[^<]*<\/title>/g)).toHaveLength(1);
    expect(body).toContain('class="ladder"');
    expect(body).toContain('class="rework"');
    expect(body).toContain("Lead time");
    expect((await api.get(`/streams/${streamId}/map.svg`)).status).toBe(404);
  });
});

describe("lead and flow time clocks", () => {
  it("lets a stream say which events start and stop its clocks, naming only its own steps", async () => {
    const api = apiFor(service, await service.token(["leader"]));
    const { streamId, stepIds } = await createStream(api, current);
    const flowStart = { kind: "entered", stepId: stepIds[1] };
    const patched = await api.patch(`/streams/${streamId}`, { clocks: { flowStart } });
    expect(patched.status).toBe(200);
    expect(patched.json().clocks).toMatchObject({ flowStart, leadStart: { kind: "entered", stepId: null } });
    const unknown = await api.patch(`/streams/${streamId}`, {
      clocks: { flowStop: { kind: "completed", stepId: randomUUID() } },
    });
    expect(unknown.status).toBe(422);
    expect((await api.delete(`/steps/${stepIds[1]}`)).status).toBe(409);
    expect((await api.patch(`/streams/${streamId}`, { dailyDemand: 0 })).status).toBe(400);
  });
});

describe("kaizen", () => {
  it("fixes success criteria before the start and measures the result against them", async () => {
    const tenant = randomUUID();
    const api = apiFor(service, await service.token(["leader"], tenant));
    const { streamId, stepIds } = await createStream(api, current);
    const created = await api.post(`/streams/${streamId}/kaizens`, {
      title: "Remove re-keying",
      hypothesis: "If underwriting reads the application directly, re-keying disappears and lead time drops",
      targetCondition: "No step re-enters application data",
      successCriteria: [{ metric: "lead-time", comparator: "at-most", target: 1200 }],
      linkedStepIds: [stepIds[2]],
      keyResultId: (await knownKeyResults(service, tenant))[0],
    });
    expect(created.status).toBe(201);
    const id = created.json().id;
    expect(
      (
        await api.patch(`/kaizens/${id}`, {
          successCriteria: [{ metric: "lead-time", comparator: "at-most", target: 1150 }],
        })
      ).status,
    ).toBe(200);
    const started = await api.post(`/kaizens/${id}/start`);
    expect(started.json()).toMatchObject({ status: "running", baseline: { "lead-time": 1240 } });
    expect(
      (
        await api.patch(`/kaizens/${id}`, {
          successCriteria: [{ metric: "lead-time", comparator: "at-most", target: 5000 }],
        })
      ).status,
    ).toBe(409);

    await api.delete(`/steps/${stepIds[2]}`);
    const done = await api.post(`/kaizens/${id}/complete`, { note: "re-keying removed" });
    expect(done.json()).toMatchObject({
      status: "completed",
      succeeded: true,
      resultNote: "re-keying removed",
      result: {
        values: { "lead-time": 1100 },
        criteria: [{ metric: "lead-time", measured: 1100, met: true }],
      },
    });
    expect((await api.post(`/kaizens/${id}/complete`)).status).toBe(409);
    const bad = await api.post(`/streams/${streamId}/kaizens`, {
      title: "x",
      hypothesis: "x",
      targetCondition: "x",
      successCriteria: [],
    });
    expect(bad.status).toBe(400);
    const foreignStep = await api.post(`/streams/${streamId}/kaizens`, {
      title: "x",
      hypothesis: "x",
      targetCondition: "x",
      successCriteria: [{ metric: "wip", comparator: "at-most", target: 3 }],
      linkedStepIds: [randomUUID()],
    });
    expect(foreignStep.status).toBe(422);
  });
});

describe("security and contract", () => {
  it("keeps tenants apart and lets only leaders and admins shape streams", async () => {
    const a = apiFor(service, await service.token(["admin"]));
    const { streamId, mapId, familyId } = await createStream(a, current);
    const b = apiFor(service, await service.token(["admin"]));
    for (const url of [
      `/streams/${streamId}`,
      `/maps/${mapId}`,
      `/product-families/${familyId}`,
      `/streams/${streamId}/metrics`,
      `/streams/${streamId}/pull`,
    ])
      expect((await b.get(url)).status).toBe(404);
    expect(
      (await b.post(`/streams`, { familyId, name: "x", dailyDemand: 1, availableMinutesPerDay: 60 })).status,
    ).toBe(404);
    expect(
      (
        await b.post(`/streams/${streamId}/bindings`, {
          keyResultId: randomUUID(),
          metric: "wip",
          direction: "decrease",
        })
      ).status,
    ).toBe(404);
    const member = apiFor(service, await service.token(["member"]));
    expect(
      (await member.post("/product-families", { name: "x", customer: "y", valueStatement: "z" })).status,
    ).toBe(403);
    const anonymous = await service.app.inject({ url: `/streams/${streamId}` });
    expect(anonymous.statusCode).toBe(401);
  });

  it("binds a key result to one metric only", async () => {
    const tenant = randomUUID();
    const api = apiFor(service, await service.token(["leader"], tenant));
    const { streamId } = await createStream(api, current);
    const [keyResultId] = await knownKeyResults(service, tenant);
    const first = await api.post(`/streams/${streamId}/bindings`, {
      keyResultId,
      metric: "lead-time",
      direction: "decrease",
    });
    expect(first.status).toBe(201);
    const again = await api.post(`/streams/${streamId}/bindings`, {
      keyResultId,
      metric: "wip",
      direction: "decrease",
    });
    expect(again.status).toBe(409);
    expect((await api.get(`/streams/${streamId}/bindings`)).json()).toMatchObject({
      items: [{ id: first.json().id }],
      nextCursor: null,
    });
    expect((await api.delete(`/bindings/${first.json().id}`)).status).toBe(204);
    expect(
      (await api.post(`/streams/${streamId}/bindings`, { keyResultId, metric: "wip", direction: "decrease" }))
        .status,
    ).toBe(201);
  });

  it("pages families, streams, kaizens and bindings by cursor, in creation order, one tenant's only", async () => {
    const tenant = randomUUID();
    const api = apiFor(service, await service.token(["admin"], tenant));
    const other = apiFor(service, await service.token(["admin"]));
    await createStream(other, current);
    const keyResultIds = await knownKeyResults(service, tenant, 3);
    const made = [
      await createStream(api, current),
      await createStream(api, current),
      await createStream(api, current),
    ];
    const { streamId } = made[0]!;
    for (const n of [1, 2, 3]) {
      const kaizen = await api.post(`/streams/${streamId}/kaizens`, {
        title: `Experiment ${n}`,
        hypothesis: "Fewer hand-offs shorten the lead time",
        targetCondition: "One hand-off less",
        successCriteria: [{ metric: "lead-time", comparator: "at-most", target: 1000 }],
      });
      expect(kaizen.status).toBe(201);
      const binding = await api.post(`/streams/${streamId}/bindings`, {
        keyResultId: keyResultIds[n - 1],
        metric: "lead-time",
        direction: "decrease",
      });
      expect(binding.status).toBe(201);
    }
    const walk = async (url: string) => {
      const ids: string[] = [];
      let cursor: string | null = null;
      do {
        const response = await api.get(`${url}?limit=2${cursor ? `&cursor=${cursor}` : ""}`);
        expect(response.status).toBe(200);
        const body = response.json() as { items: { id: string }[]; nextCursor: string | null };
        expect(body.items.length).toBeLessThanOrEqual(2);
        ids.push(...body.items.map((item) => item.id));
        cursor = body.nextCursor;
      } while (cursor);
      // Without a limit the first page holds them all (default 100), in the same order.
      expect((await api.get(url)).json()).toMatchObject({
        items: ids.map((id) => ({ id })),
        nextCursor: null,
      });
      return ids;
    };
    expect(await walk("/product-families")).toEqual(made.map((m) => m.familyId));
    expect(await walk("/streams")).toEqual(made.map((m) => m.streamId));
    expect(await walk(`/streams/${streamId}/kaizens`)).toHaveLength(3);
    expect(await walk(`/streams/${streamId}/bindings`)).toHaveLength(3);
    expect((await api.get("/streams?limit=0")).status).toBe(400);
    expect((await api.get("/streams?cursor=not-an-id")).status).toBe(400);
  });

  it("gives streams, maps and steps UUIDv7 ids, as every other id", async () => {
    const v7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    const api = apiFor(service, await service.token(["leader"]));
    const { streamId, mapId, stepIds } = await createStream(api, current);
    const added = (await api.post(`/maps/${mapId}/steps`, step("Check credit"))).json();
    const future = (await api.post(`/streams/${streamId}/maps`, { name: "Future state" })).json();
    const futureStepIds = (future.steps as { id: string }[]).map((s) => s.id);
    for (const id of [streamId, mapId, ...stepIds, added.id, future.id, ...futureStepIds])
      expect(id).toMatch(v7);
  });

  it("serves OpenAPI with every route", async () => {
    const docs = (await service.app.inject({ url: "/docs/json" })).json();
    for (const path of [
      "/product-families",
      "/streams",
      "/streams/{id}/events",
      "/streams/{id}/pull",
      "/streams/{id}/map.svg",
      "/maps/{id}/sequence",
      "/kaizens/{id}/start",
      "/streams/{id}/bindings",
    ])
      expect(Object.keys(docs.paths)).toContain(path);
  });
});
