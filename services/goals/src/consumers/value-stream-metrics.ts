import { type EventData, MetricUpdated } from "@okr/events";
import { systemCheckInNote } from "@okr/goals-domain";
import { EventConsumer, type PgTransaction } from "@okr/messaging";
import { runtimeConsumer } from "@okr/service-kit";
import {
  loadTargets,
  type PreparedCheckIn,
  prepareCheckIn,
  writeCheckIns,
} from "../repositories/check-ins.ts";
import type { GoalsRuntime } from "../service.ts";

/** Confidence of a system check-in when no person has given one yet: neither sure nor doubtful. */
const NEUTRAL_CONFIDENCE = 0.5;

/**
 * Each new value of a value-stream metric becomes a system check-in on every key result bound to it,
 * with the metric snapshot as evidence. A bound KR that is unknown here (another tenant's, deleted) or
 * whose cycle no longer takes check-ins is skipped with a log line: that is normal, not a poison message.
 */
export function valueStreamMetricConsumer(
  runtime: GoalsRuntime,
  groupId = `${runtime.consumerGroup}.value-stream-metrics`,
) {
  return new EventConsumer<PgTransaction>({
    ...runtimeConsumer(runtime, groupId, [MetricUpdated]),
    handle: async (event, tx) => {
      const data = event.data as EventData<typeof MetricUpdated>;
      if (data.boundKeyResultIds.length === 0) return;
      const targets = await loadTargets(tx, event.tenant, [...new Set(data.boundKeyResultIds)]);
      const now = new Date();
      const checkIns: PreparedCheckIn[] = [];
      for (const id of new Set(data.boundKeyResultIds)) {
        const target = targets.get(id);
        if (!target) {
          runtime.log(
            "warn",
            `metric ${data.metric} of stream ${data.streamId}: key result ${id} is unknown; skipped`,
          );
          continue;
        }
        const prepared = prepareCheckIn(
          event.tenant,
          {
            keyResultId: id,
            value: data.value,
            confidence: target.latestConfidence ?? NEUTRAL_CONFIDENCE,
            note: systemCheckInNote(data.metric, data.value, data.unit, data.snapshot),
            evidence: { system: `value-stream:${data.streamId}:${data.metric}` },
            recordedAt: new Date(Math.min(Date.parse(data.measuredAt), now.getTime())).toISOString(),
          },
          target,
          { id: null, source: "system" },
          now,
        );
        if (prepared.ok) checkIns.push(prepared.checkIn);
        else
          runtime.log(
            "warn",
            `metric ${data.metric} of stream ${data.streamId}: no check-in on ${id}: ${prepared.errors.map((e) => e.message).join("; ")}`,
          );
      }
      await writeCheckIns(tx, checkIns);
    },
  });
}
