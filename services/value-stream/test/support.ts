import { createEvent, KeyResultUpserted } from "@okr/events";
import { type KeyResultUpsertedData, keyResultUpsertedData } from "@okr/events/testing";
import { envelopeMessage } from "@okr/messaging";
import { type Api, type TestService, testBus, waitFor } from "@okr/testkit";
import type { ValueStreamDb } from "../src/database.ts";

export const step = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  classification: "value-adding",
  processMinutes: 10,
  waitMinutes: 30,
  percentCompleteAccurate: 0.9,
  ...extra,
});

/** A family and a stream with the given current-state steps; returns the stream and its step ids. */
export async function createStream(api: Api, steps: unknown[], settings: Record<string, unknown> = {}) {
  const family = await api.post("/product-families", {
    name: "Mortgages",
    customer: "home buyers",
    valueStatement: "a yes or no on my mortgage within a day, right first time",
  });
  if (family.status !== 201) throw new Error(`family: ${family.body}`);
  const stream = await api.post("/streams", {
    familyId: family.json().id,
    name: "Mortgage approval",
    dailyDemand: 20,
    availableMinutesPerDay: 480,
    steps,
    ...settings,
  });
  if (stream.status !== 201) throw new Error(`stream: ${stream.body}`);
  const map = await api.get(`/maps/${stream.json().currentMapId}`);
  return {
    familyId: family.json().id as string,
    streamId: stream.json().id as string,
    mapId: stream.json().currentMapId as string,
    stepIds: (map.json().steps as { id: string }[]).map((s) => s.id),
  };
}

/**
 * Publishes key results of `tenant` to Kafka exactly as the goals service announces them
 * (KeyResultUpserted on its key-results topic); `changes` overrides fields, e.g. `removed`.
 */
export async function announceKeyResults(tenant: string, changes: Partial<KeyResultUpsertedData>[]) {
  const producer = testBus().producer();
  await producer.connect();
  try {
    const envelopes = changes.map((change) =>
      createEvent(
        KeyResultUpserted,
        keyResultUpsertedData({
          title: "Raise flow efficiency",
          baseline: 0.2,
          target: 0.6,
          unit: "ratio",
          ...change,
        }),
        { tenant },
      ),
    );
    await producer.send(envelopes.map((envelope) => envelopeMessage(KeyResultUpserted.topic, envelope)));
    return envelopes.map((envelope) => envelope.data.keyResultId);
  } finally {
    await producer.disconnect();
  }
}

/** How value-stream's replica holds these key results of `tenant` (absent ones left out). */
export async function replicaRows(service: TestService<ValueStreamDb>, tenant: string, ids: string[]) {
  const { rows } = await service.runtime.pool.query<{
    key_result_id: string;
    deleted: boolean;
    version: number;
  }>(
    `select key_result_id, deleted, version from known_key_results
      where tenant_id = $1 and key_result_id = any($2::uuid[])`,
    [tenant, ids],
  );
  return rows;
}

/**
 * `count` new key results of `tenant`, announced by "goals" on Kafka and waited for until value-stream's
 * replica holds them: what a test binds right after creating key results needs (the replica trails goals).
 */
export async function knownKeyResults(service: TestService<ValueStreamDb>, tenant: string, count = 1) {
  const ids = await announceKeyResults(
    tenant,
    Array.from({ length: count }, () => ({})),
  );
  await waitFor(
    "value-stream to learn the key results from goals' events",
    async () => (await replicaRows(service, tenant, ids)).length === count,
    60_000,
  );
  return ids;
}
