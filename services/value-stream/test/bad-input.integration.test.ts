import { randomUUID } from "node:crypto";
import { type Api, apiFor, startTestService, type TestService, waitFor } from "@okr/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ValueStreamConfig } from "../src/config.ts";
import type { ValueStreamDb } from "../src/database.ts";
import { createValueStreamService } from "../src/service.ts";
import { createStream, step } from "./support.ts";

let service: TestService<ValueStreamDb, ValueStreamConfig>;
let api: Api;
let tenant: string;
let streamId: string;
let stepIds: string[];
beforeAll(async () => {
  service = await startTestService(createValueStreamService({ intervalMs: 100, minRecomputeMs: 200 }));
  tenant = randomUUID();
  api = apiFor(service, await service.token(["leader"], tenant));
  ({ streamId, stepIds } = await createStream(api, [step("Apply"), step("Offer")]));
  expect((await api.post(`/streams/${streamId}/work-items`, { items: [{ id: "M-1" }] })).status).toBe(200);
  // The metric publisher writes to the outbox after a change: let it finish before the snapshots.
  await waitFor("metrics published", async () => {
    const state = await service.runtime.db.streamMetricState.findUnique({ where: { streamId } });
    return state && state.computedVersion === state.version;
  });
});
afterAll(() => service.stop());

const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

/** Every row of every table a request could change, and the outbox sequence (moved even by a rollback). */
async function snapshot() {
  const { rows } = await service.runtime.pool.query(
    `select (select json_agg(w order by item_id) from work_items w) as items,
            (select count(*) from work_item_events)::int as events,
            (select json_agg(s order by id) from value_streams s) as streams,
            (select count(*) from product_families)::int as families,
            (select count(*) from steps)::int as steps,
            (select last_value::text from outbox_events_seq_seq) as outbox`,
  );
  return JSON.stringify(rows[0]);
}

describe("bad input to value-stream", () => {
  it("answers each bad request with a 4xx problem+json and changes nothing", async () => {
    const created = Date.parse(
      (await service.runtime.db.valueStream.findFirstOrThrow()).createdAt.toISOString(),
    );
    const move = (at: string, extra: object = {}) => ({
      events: [{ itemId: "M-1", stepId: stepIds[0], kind: "entered", at, ...extra }],
    });
    const cases: [string, "GET" | "POST" | "PATCH", string, unknown, number][] = [
      ["event dated year 1", "POST", `/streams/${streamId}/events`, move("0001-01-01T00:00:00Z"), 422],
      [
        "event before the back-fill window",
        "POST",
        `/streams/${streamId}/events`,
        move(iso(created - 366 * DAY)),
        422,
      ],
      ["event an hour ahead", "POST", `/streams/${streamId}/events`, move(iso(Date.now() + 3_600_000)), 422],
      [
        "one old event among good ones",
        "POST",
        `/streams/${streamId}/events`,
        {
          events: [
            { itemId: "M-1", stepId: stepIds[0], kind: "entered", at: iso(Date.now() - DAY) },
            { itemId: "M-1", stepId: stepIds[0], kind: "started", at: "1970-01-01T00:00:00Z" },
          ],
        },
        422,
      ],
      [
        "NUL in a blocked reason",
        "POST",
        `/streams/${streamId}/events`,
        move(iso(Date.now()), { reason: "\u0000" }),
        400,
      ],
      // Found by the fuzz stage's stateful phase: takt overflowed to Infinity, sent as null.
      ["a demand so small takt overflows", "PATCH", `/streams/${streamId}`, { dailyDemand: 5e-324 }, 422],
      [
        "a future state copied from a map the stream lacks",
        "POST",
        `/streams/${streamId}/maps`,
        { name: "Next", copyFromMapId: randomUUID() },
        422,
      ],
      ["NUL in an item id", "POST", `/streams/${streamId}/work-items`, { items: [{ id: "M\u00002" }] }, 400],
      [
        "lone surrogate in an item title",
        "POST",
        `/streams/${streamId}/work-items`,
        { items: [{ id: "M-3", title: "\udc00 broken" }] },
        400,
      ],
      ["NUL in an item id in the path", "GET", `/streams/${streamId}/work-items/M%001`, undefined, 400],
      ["NUL in a stream name", "PATCH", `/streams/${streamId}`, { name: "Mortgage\u0000" }, 400],
      [
        "NUL in a family",
        "POST",
        "/product-families",
        { name: "x", customer: "y\u0000", valueStatement: "z" },
        400,
      ],
    ];
    const before = await snapshot();
    for (const [what, method, url, payload, status] of cases) {
      const response = await (method === "GET"
        ? api.get(url)
        : method === "PATCH"
          ? api.patch(url, payload)
          : api.post(url, payload));
      expect([what, response.status]).toEqual([what, status]);
      expect(response.headers["content-type"], what).toMatch(/application\/problem\+json/);
      expect(response.json().detail, what).toBeTruthy();
    }
    const badTenant = apiFor(
      service,
      service.signClaims({
        tenant: "not-a-uuid",
        sub: "x",
        roles: ["admin"],
        iat: Math.floor(Date.now() / 1000),
        exp: Math.floor(Date.now() / 1000) + 600,
      }),
    );
    for (const response of [
      await badTenant.get(`/streams/${streamId}`),
      await badTenant.post(`/streams/${streamId}/events`, move(iso(Date.now()))),
    ]) {
      expect(response.status).toBe(401);
      expect(response.headers["www-authenticate"]).toMatch(/error="invalid_token"/);
    }
    expect(JSON.parse(await snapshot())).toEqual(JSON.parse(before));

    // Back-filling history inside the window is fine: the refusals were about the dates alone.
    const backfilled = await api.post(`/streams/${streamId}/events`, move(iso(created - 300 * DAY)));
    expect(backfilled.status).toBe(200);
    expect(backfilled.json()).toMatchObject({ accepted: 1 });
  });
});
