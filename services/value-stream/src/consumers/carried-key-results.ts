import { type EventData, KeyResultBindingChanged, KeyResultCarriedForward } from "@okr/events";
import { EventConsumer, type PendingEvent, type PgTransaction, publishEvents } from "@okr/messaging";
import { runtimeConsumer } from "@okr/service-kit";
import type { ValueStreamRuntime } from "../service.ts";
import { markMetricsStale } from "../store.ts";

/**
 * A key result carried into the next cycle takes its value-stream binding with it: the binding of the
 * key result it continues (locked with its closed cycle) moves to the new one, announced as the old
 * pairing removed and the new one added, and the metric's current value is published for the new key
 * result at once. Idempotent: each event is recorded as processed with the move, and a binding already
 * moved (or a new key result someone bound by hand meanwhile) is left as it is.
 */
export function carriedKeyResultConsumer(
  runtime: ValueStreamRuntime,
  groupId = `${runtime.consumerGroup}.carried-key-results`,
) {
  return new EventConsumer<PgTransaction>({
    ...runtimeConsumer(runtime, groupId, [KeyResultCarriedForward]),
    handle: async (event, tx) => {
      const data = event.data as EventData<typeof KeyResultCarriedForward>;
      await moveBinding(runtime, tx, event.tenant, data.carriedFromKeyResultId, data.keyResultId);
    },
  });
}

async function moveBinding(
  runtime: ValueStreamRuntime,
  tx: PgTransaction,
  tenant: string,
  from: string,
  to: string,
) {
  const { rows } = await tx.query<{
    id: string;
    stream_id: string;
    metric: string;
    direction: string;
  }>(
    `update key_result_bindings set key_result_id = $3
      where tenant_id = $1 and key_result_id = $2
        and not exists (select 1 from key_result_bindings where tenant_id = $1 and key_result_id = $3)
      returning id, stream_id, metric, direction`,
    [tenant, from, to],
  );
  const [moved] = rows;
  if (!moved) return;
  const binding = {
    bindingId: moved.id,
    streamId: moved.stream_id,
    metric: moved.metric as "wip",
    direction: moved.direction as "increase" | "decrease",
  };
  const events: PendingEvent[] = [
    { definition: KeyResultBindingChanged, data: { ...binding, keyResultId: from, removed: true } },
    { definition: KeyResultBindingChanged, data: { ...binding, keyResultId: to, removed: false } },
  ].map((event) => ({ ...event, context: { tenant } }));
  await publishEvents(tx, events);
  await markMetricsStale(tx, moved.stream_id, tenant, moved.metric);
  runtime.log("info", `binding ${moved.id} of stream ${moved.stream_id} follows key result ${from} to ${to}`);
}
