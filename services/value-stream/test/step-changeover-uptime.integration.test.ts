import { randomUUID } from "node:crypto";
import { VALUE_STREAM_TOPICS } from "@okr/events";
import { type Api, apiFor, findMessage, startTestService, type TestService } from "@okr/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ValueStreamDb } from "../src/database.ts";
import { createValueStreamService } from "../src/service.ts";
import { createStream, step } from "./support.ts";

let service: TestService<ValueStreamDb>;
let api: Api;
let tenant: string;
beforeAll(async () => {
  service = await startTestService(createValueStreamService({ intervalMs: 100, minRecomputeMs: 200 }));
  tenant = randomUUID();
  api = apiFor(service, await service.token(["leader"], tenant));
});
afterAll(() => service.stop());

type StepView = { id: string; name: string } & Record<string, unknown>;
const stepsOf = async (mapId: string) => (await api.get(`/maps/${mapId}`)).json().steps as StepView[];
const stepChanged = async (stepId: string, predicate: (data: Record<string, unknown>) => boolean) => {
  const message = await findMessage(VALUE_STREAM_TOPICS.streams, (m) => {
    const e = JSON.parse(m.value?.toString() ?? "{}");
    return e.type === "okr.value-stream.step-changed.v1" && e.data.stepId === stepId && predicate(e.data);
  });
  return JSON.parse(message.value?.toString() ?? "{}").data as Record<string, unknown>;
};

// Takt is 480 / 20 = 24 min. The press (20 min) keeps it at 85% uptime (20.4 min); the weld (20 min)
// does not at 80% (19.2 min); the pack (20 min) has no uptime and is held to plain takt.
const press = step("Press", { processMinutes: 20, changeoverMinutes: 45, uptimePercent: 85 });
const weld = step("Weld", { processMinutes: 20, uptimePercent: 80 });
const pack = step("Pack", { processMinutes: 20 });

describe("a step's changeover time and uptime", () => {
  it("round-trip through create, read, patch and a future-state copy, and travel in StepChanged", async () => {
    const { streamId, mapId, stepIds } = await createStream(api, [press, weld, pack]);
    const [pressId, weldId, packId] = stepIds as [string, string, string];
    const steps = await stepsOf(mapId);
    expect(steps.map((s) => [s.name, s.changeoverMinutes, s.uptimePercent])).toEqual([
      ["Press", 45, 85],
      ["Weld", null, 80],
      ["Pack", null, null],
    ]);
    expect(await stepChanged(pressId, () => true)).toMatchObject({
      changeoverMinutes: 45,
      uptimePercent: 85,
    });

    // Held to takt × uptime: only the weld is over.
    const metrics = (await api.get(`/streams/${streamId}/metrics`)).json().map;
    expect(metrics.taktTimeMinutes).toBe(24);
    const figures = metrics.steps as { stepId: string; effectiveTaktMinutes: number; overTakt: boolean }[];
    expect(figures.map((s) => [s.stepId, s.overTakt])).toEqual([
      [pressId, false],
      [weldId, true],
      [packId, false],
    ]);
    expect(figures[0]?.effectiveTaktMinutes).toBeCloseTo(20.4, 9);
    expect(figures[2]?.effectiveTaktMinutes).toBe(24);

    const svg = (await api.get(`/streams/${streamId}/map.svg`)).body;
    expect(svg).toContain(">C/O 45 min<");
    expect(svg).toContain(">Uptime 85%<");
    expect(svg).toMatch(/<g class="step over-takt" data-step-id="[^"]+"/);
    expect(svg.match(/class="step over-takt"/g)).toHaveLength(1);
    expect(svg).toContain(`data-step-id="${weldId}"`);

    // A patch that names neither keeps both; a new value replaces one; null clears one.
    const renamed = await api.patch(`/steps/${pressId}`, { name: "Stamp" });
    expect(renamed.json()).toMatchObject({ name: "Stamp", changeoverMinutes: 45, uptimePercent: 85 });
    const faster = await api.patch(`/steps/${pressId}`, { changeoverMinutes: 10 });
    expect(faster.json()).toMatchObject({ changeoverMinutes: 10, uptimePercent: 85 });
    expect(await stepChanged(pressId, (d) => d.changeoverMinutes === 10)).toMatchObject({
      name: "Stamp",
      uptimePercent: 85,
    });
    const cleared = await api.patch(`/steps/${pressId}`, { uptimePercent: null });
    expect(cleared.status).toBe(200);
    expect(cleared.json()).toMatchObject({ changeoverMinutes: 10, uptimePercent: null });
    const fixedWeld = await api.patch(`/steps/${weldId}`, { uptimePercent: 100 });
    expect(fixedWeld.json()).toMatchObject({ uptimePercent: 100 });

    const added = await api.post(`/maps/${mapId}/steps`, {
      ...step("Inspect", { processMinutes: 5, changeoverMinutes: 0, uptimePercent: 99.5 }),
      position: 1,
    });
    expect(added.status).toBe(201);
    expect(added.json()).toMatchObject({ position: 1, changeoverMinutes: 0, uptimePercent: 99.5 });

    // A future state is drawn as a copy: the copies carry the same figures.
    const future = await api.post(`/streams/${streamId}/maps`, { name: "Next quarter" });
    expect(future.status).toBe(201);
    expect(
      (future.json().steps as StepView[]).map((s) => [s.name, s.changeoverMinutes, s.uptimePercent]),
    ).toEqual([
      ["Stamp", 10, null],
      ["Inspect", 0, 99.5],
      ["Weld", null, 100],
      ["Pack", null, null],
    ]);
  });

  it("answers a bad changeover or uptime with 400 naming the field, and changes nothing", async () => {
    const { mapId, stepIds } = await createStream(api, [press]);
    const [pressId] = stepIds as [string];
    const before = await stepsOf(mapId);
    const cases: [string, "POST" | "PATCH", string, Record<string, unknown>, string][] = [
      ["uptime of 0", "PATCH", `/steps/${pressId}`, { uptimePercent: 0 }, "/uptimePercent"],
      ["uptime over 100", "PATCH", `/steps/${pressId}`, { uptimePercent: 100.5 }, "/uptimePercent"],
      [
        "uptime as a fraction string",
        "PATCH",
        `/steps/${pressId}`,
        { uptimePercent: "0.85" },
        "/uptimePercent",
      ],
      ["negative changeover", "PATCH", `/steps/${pressId}`, { changeoverMinutes: -1 }, "/changeoverMinutes"],
      [
        "negative uptime on a new step",
        "POST",
        `/maps/${mapId}/steps`,
        step("Bad", { uptimePercent: -5 }),
        "/uptimePercent",
      ],
      [
        "changeover past a billion minutes on a new step",
        "POST",
        `/maps/${mapId}/steps`,
        step("Bad", { changeoverMinutes: 2e9 }),
        "/changeoverMinutes",
      ],
      [
        "uptime over 100 in a new stream's steps",
        "POST",
        "/streams",
        {
          familyId: randomUUID(),
          name: "x",
          dailyDemand: 1,
          availableMinutesPerDay: 480,
          steps: [step("Bad", { uptimePercent: 101 })],
        },
        "/steps/0/uptimePercent",
      ],
    ];
    for (const [what, method, url, payload, path] of cases) {
      const response = method === "POST" ? await api.post(url, payload) : await api.patch(url, payload);
      expect([what, response.status]).toEqual([what, 400]);
      expect(response.headers["content-type"], what).toMatch(/application\/problem\+json/);
      const problem = response.json();
      expect(problem.detail, what).toContain(path);
      expect(
        (problem.errors as { path: string }[]).every((e) => e.path === path),
        what,
      ).toBe(true);
    }
    expect(await stepsOf(mapId)).toEqual(before);
  });

  it("reads and draws a step stored without them (as before the migration) exactly as before", async () => {
    const { streamId, mapId, stepIds } = await createStream(api, [pack]);
    // A row written the way the service wrote steps before these columns existed.
    const oldId = randomUUID();
    await service.runtime.pool.query(
      `insert into steps (id, tenant_id, map_id, position, name, classification, process_minutes,
                          wait_minutes, wait_inventory_units, percent_complete_accurate, wip_limit, waste_tags,
                          updated_at)
       values ($1, $2, $3, 1, 'Ship', 'waste', 30, 60, null, 0.5, 3, '{waiting}', now())`,
      [oldId, tenant, mapId],
    );
    const steps = await stepsOf(mapId);
    expect(steps.map((s) => s.id)).toEqual([stepIds[0], oldId]);
    expect(steps[1]).toEqual({
      id: oldId,
      mapId,
      position: 1,
      name: "Ship",
      classification: "waste",
      processMinutes: 30,
      waitMinutes: 60,
      waitInventoryUnits: null,
      percentCompleteAccurate: 0.5,
      wipLimit: 3,
      wasteTags: ["waiting"],
      changeoverMinutes: null,
      uptimePercent: null,
    });
    // Held to plain takt (24 min): 30 min is over it, 20 min is not.
    const figures = (await api.get(`/streams/${streamId}/metrics`)).json().map.steps as {
      overTakt: boolean;
      effectiveTaktMinutes: number;
    }[];
    expect(figures.map((s) => [s.overTakt, s.effectiveTaktMinutes])).toEqual([
      [false, 24],
      [true, 24],
    ]);
    const svg = (await api.get(`/streams/${streamId}/map.svg`)).body;
    expect(svg).not.toMatch(/C\/O|Uptime|× uptime/);
    const ship =
      svg.match(new RegExp(`<g class="step[^"]*" data-step-id="${oldId}"[\\s\\S]*?</g>`))?.[0] ?? "";
    const texts = [...ship.matchAll(/<text [^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
    // The data box: after the inventory before the step ("I", its days), the name and the classification.
    const lines = texts.slice(texts.indexOf("C/T 30 min"));
    expect(texts.slice(0, texts.indexOf("C/T 30 min"))).toEqual(["I", "0.125 days", "Ship", "waste"]);
    expect(lines).toEqual(["C/T 30 min", "over takt (24 min)", "%C&amp;A 50%", "WIP limit 3", "waiting"]);
    // A patch of something else leaves them unset.
    const patched = await api.patch(`/steps/${oldId}`, { name: "Ship it" });
    expect(patched.json()).toMatchObject({ name: "Ship it", changeoverMinutes: null, uptimePercent: null });
  });
});
