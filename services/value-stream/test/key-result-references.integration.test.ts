import { randomUUID } from "node:crypto";
import { apiFor, startTestService, type TestService, waitFor } from "@okr/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ValueStreamDb } from "../src/database.ts";
import { createValueStreamService } from "../src/service.ts";
import { announceKeyResults, createStream, knownKeyResults, replicaRows, step } from "./support.ts";

let service: TestService<ValueStreamDb>;
beforeAll(async () => {
  service = await startTestService(createValueStreamService({ intervalMs: 100, minRecomputeMs: 200 }));
});
afterAll(() => service?.stop());

/** Rows of the tables a binding or a kaizen writes (this test's database is its own). */
async function stored() {
  const { rows } = await service.runtime.pool.query<{ bindings: number; kaizens: number; outbox: number }>(
    `select (select count(*)::int from key_result_bindings) as bindings,
            (select count(*)::int from kaizens) as kaizens,
            (select count(*)::int from outbox_events) as outbox`,
  );
  return rows[0]!;
}

const kaizen = (keyResultId: string | null) => ({
  title: "Fewer hand-offs",
  hypothesis: "If underwriting reads the application directly, lead time drops",
  targetCondition: "One hand-off less",
  successCriteria: [{ metric: "lead-time", comparator: "at-most", target: 1000 }],
  keyResultId,
});

function expectUnknownKeyResult(response: {
  status: number;
  headers: Record<string, unknown>;
  json(): unknown;
}) {
  expect(response.status).toBe(422);
  expect(response.headers["content-type"]).toMatch(/^application\/problem\+json/);
  expect(response.json()).toMatchObject({
    type: "https://okr-platform.dev/problems/unknown-key-result",
    status: 422,
    detail: expect.stringContaining("(yet)"),
    errors: [{ in: "body", path: "/keyResultId" }],
  });
}

describe("key results a binding or a kaizen names", () => {
  it("are only the tenant's own, known from goals' events and not deleted: anything else is a 422 that stores nothing", async () => {
    const tenant = randomUUID();
    const otherTenant = randomUUID();
    const api = apiFor(service, await service.token(["admin"], tenant));
    const { streamId } = await createStream(api, [step("Apply"), step("Offer")]);
    const [own, toDelete] = await knownKeyResults(service, tenant, 2);
    const [foreign] = await knownKeyResults(service, otherTenant, 1);

    // Deleted in goals (announced under the version it had), then an older announcement arrives late:
    // the replica keeps it deleted.
    await announceKeyResults(tenant, [{ keyResultId: toDelete, removed: true }]);
    await waitFor("the deletion to reach value-stream", async () =>
      (await replicaRows(service, tenant, [toDelete!]))[0]?.deleted ? true : undefined,
    );
    await announceKeyResults(tenant, [{ keyResultId: toDelete }]);

    const before = await stored();
    for (const keyResultId of [randomUUID(), foreign!, toDelete!]) {
      expectUnknownKeyResult(
        await api.post(`/streams/${streamId}/bindings`, {
          keyResultId,
          metric: "wip",
          direction: "decrease",
        }),
      );
      expectUnknownKeyResult(await api.post(`/streams/${streamId}/kaizens`, kaizen(keyResultId)));
    }
    expect(await stored()).toEqual(before);

    // The tenant's own key result binds, once; a kaizen may name it too (or none).
    const bound = await api.post(`/streams/${streamId}/bindings`, {
      keyResultId: own,
      metric: "lead-time",
      direction: "decrease",
    });
    expect(bound.status).toBe(201);
    expect(bound.json()).toMatchObject({ keyResultId: own, metric: "lead-time" });
    expect(
      (
        await api.post(`/streams/${streamId}/bindings`, {
          keyResultId: own,
          metric: "wip",
          direction: "decrease",
        })
      ).status,
    ).toBe(409);
    const planned = await api.post(`/streams/${streamId}/kaizens`, kaizen(own!));
    expect(planned.status).toBe(201);
    expect((await api.post(`/streams/${streamId}/kaizens`, kaizen(null))).status).toBe(201);

    // Revising a kaizen to name an unknown key result is refused and leaves it as it was.
    const kaizenId = planned.json().id as string;
    expectUnknownKeyResult(await api.patch(`/kaizens/${kaizenId}`, { keyResultId: foreign }));
    expect((await api.get(`/kaizens/${kaizenId}`)).json()).toMatchObject({ keyResultId: own });
    expect((await api.patch(`/kaizens/${kaizenId}`, { keyResultId: null })).status).toBe(200);

    // The other tenant binds its own key result; it was never bound here.
    const other = apiFor(service, await service.token(["admin"], otherTenant));
    const otherStream = await createStream(other, [step("Apply")]);
    expect(
      (
        await other.post(`/streams/${otherStream.streamId}/bindings`, {
          keyResultId: foreign,
          metric: "wip",
          direction: "decrease",
        })
      ).status,
    ).toBe(201);
    expect((await api.get(`/streams/${streamId}/bindings`)).json().items).toEqual([
      expect.objectContaining({ keyResultId: own }),
    ]);
    expect(await replicaRows(service, tenant, [toDelete!])).toEqual([
      { key_result_id: toDelete, deleted: true, version: 1 },
    ]);
  }, 120_000);
});
