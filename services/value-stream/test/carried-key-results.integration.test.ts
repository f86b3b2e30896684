import { randomUUID } from "node:crypto";
import { createEvent, type EventData, KeyResultCarriedForward, VALUE_STREAM_TOPICS } from "@okr/events";
import { envelopeMessage, type IncomingMessage, type MessageProducer } from "@okr/messaging";
import { apiFor, startTestService, type TestService, testBus, uniqueName, waitFor } from "@okr/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ValueStreamDb } from "../src/database.ts";
import { createValueStreamService } from "../src/service.ts";
import { createStream, knownKeyResults, step } from "./support.ts";

let service: TestService<ValueStreamDb>;
let producer: MessageProducer;
beforeAll(async () => {
  service = await startTestService(createValueStreamService({ intervalMs: 100, minRecomputeMs: 200 }));
  producer = testBus().producer();
  await producer.connect();
});
afterAll(async () => {
  await producer?.disconnect();
  await service?.stop();
});

/** The goals service's announcement of a carried key result, as it arrives on Kafka (`id` fixed to send it again). */
async function carriedForward(
  tenant: string,
  id: string,
  data: Pick<EventData<typeof KeyResultCarriedForward>, "keyResultId" | "carriedFromKeyResultId">,
) {
  const envelope = createEvent(
    KeyResultCarriedForward,
    { objectiveId: randomUUID(), cycleId: randomUUID(), carriedFromCycleId: randomUUID(), ...data },
    { tenant, id },
  );
  await producer.send([envelopeMessage(KeyResultCarriedForward.topic, envelope)]);
}

/**
 * Every message on `topic` matching `matches`, read from the start until `settleMs` passes without a new
 * one. The quiet time counts from the latest message read, never from before the group has joined (a
 * join slower than `settleMs` would otherwise end the read before its first message).
 */
async function messagesWhere(
  topic: string,
  matches: (data: Record<string, unknown>) => boolean,
  settleMs = 3_000,
) {
  const bus = testBus();
  const consumer = bus.consumer(uniqueName("carried-reader"));
  const found: IncomingMessage[] = [];
  let last: number | undefined;
  await consumer.connect();
  try {
    await consumer.subscribe([topic], { fromBeginning: true });
    await consumer.run({
      eachMessage: async (message) => {
        const data = JSON.parse(message.value?.toString() ?? "{}").data ?? {};
        if (matches(data)) found.push(message);
        last = Date.now();
      },
    });
    await waitFor(
      "the topic to settle",
      () => (last !== undefined && Date.now() - last > settleMs ? true : undefined),
      60_000,
    );
    return found.map((message) => JSON.parse(message.value?.toString() ?? "{}"));
  } finally {
    await consumer.disconnect();
  }
}

describe("bindings of carried key results", () => {
  it("moves a binding to the key result that carries its key result forward, once, within the tenant", async () => {
    const tenant = randomUUID();
    const api = apiFor(service, await service.token(["admin"], tenant));
    const { streamId } = await createStream(api, [step("Apply"), step("Offer")]);
    // Key results goals announced (bindable); `next` carries `old` forward.
    const [old, other, otherNext] = (await knownKeyResults(service, tenant, 3)) as [string, string, string];
    const next = randomUUID();
    const bind = async (keyResultId: string, metric: string) => {
      const response = await api.post(`/streams/${streamId}/bindings`, {
        keyResultId,
        metric,
        direction: "increase",
      });
      expect(response.status).toBe(201);
      return response.json() as { id: string };
    };
    const binding = await bind(old, "flow-efficiency");
    // `other` is carried to a key result someone already bound by hand: that binding stays where it is.
    const otherBinding = await bind(other, "wip");
    await bind(otherNext, "lead-time");

    // Another tenant's key result carried "from" ours changes nothing here.
    await carriedForward(randomUUID(), randomUUID(), {
      keyResultId: randomUUID(),
      carriedFromKeyResultId: old,
    });
    // The carry, delivered twice (a redelivery has the same event id), then again under a new id.
    const carryId = randomUUID();
    await carriedForward(tenant, carryId, { keyResultId: next, carriedFromKeyResultId: old });
    await carriedForward(tenant, carryId, { keyResultId: next, carriedFromKeyResultId: old });
    await carriedForward(tenant, randomUUID(), { keyResultId: next, carriedFromKeyResultId: old });
    await carriedForward(tenant, randomUUID(), { keyResultId: otherNext, carriedFromKeyResultId: other });

    const bindings = await waitFor("the binding to follow the carried key result", async () => {
      // The list is paginated; one page holds this stream's few bindings.
      const found = (await api.get(`/streams/${streamId}/bindings`)).json().items as {
        id: string;
        keyResultId: string;
      }[];
      return found.some((b) => b.keyResultId === next) ? found : undefined;
    });
    expect(bindings.map((b) => [b.id, b.keyResultId]).sort()).toEqual(
      [
        [binding.id, next],
        [otherBinding.id, other],
        [expect.any(String), otherNext],
      ].sort(),
    );

    // Announced once, as the old pairing removed and the new one added; and the metric's value goes
    // to the new key result at once.
    const changes = await messagesWhere(VALUE_STREAM_TOPICS.metrics, (data) => data.bindingId === binding.id);
    expect(changes.map((event) => [event.type, event.data.keyResultId, event.data.removed])).toEqual([
      ["okr.value-stream.key-result-binding-changed.v1", old, false],
      ["okr.value-stream.key-result-binding-changed.v1", old, true],
      ["okr.value-stream.key-result-binding-changed.v1", next, false],
    ]);
    expect(
      await messagesWhere(
        VALUE_STREAM_TOPICS.metrics,
        (data) =>
          data.streamId === streamId &&
          (data.boundKeyResultIds as string[] | undefined)?.includes(next) === true,
      ),
    ).not.toHaveLength(0);
  }, 120_000);
});
