import { type EventData, type EventEnvelope, isUuid, KeyResultUpserted } from "@okr/events";
import { EventConsumer, PoisonEventError } from "@okr/messaging";
import { runtimeConsumer } from "@okr/service-kit";
import { type KeyResultFact, recordKeyResults } from "../repositories/key-results.ts";
import type { ValueStreamRuntime } from "../service.ts";

/**
 * Keeps value-stream's replica of the goals service's key results (known_key_results), so a binding or a
 * kaizen can refuse a key result its tenant does not have without asking goals. Reads only
 * KeyResultUpserted from the key-results topic (the check-ins sharing it are skipped unparsed), in
 * batches; each event id is recorded as processed with its change, and the version rule of the replica
 * makes a late or repeated event harmless too.
 */
export function keyResultReplicaConsumer(
  runtime: ValueStreamRuntime,
  groupId = `${runtime.consumerGroup}.key-results`,
) {
  return new EventConsumer({
    ...runtimeConsumer(runtime, groupId, [KeyResultUpserted]),
    handleBatch: (events, tx) => recordKeyResults(tx, latestPerKeyResult(events)),
  });
}

/** The batch folded to one fact per key result (one statement may change each row only once). */
function latestPerKeyResult(events: EventEnvelope[]): KeyResultFact[] {
  const latest = new Map<string, KeyResultFact>();
  for (const event of events) {
    const data = event.data as EventData<typeof KeyResultUpserted>;
    // Every value-stream table keys tenants by uuid: an event of another kind of tenant can never apply.
    if (!isUuid(event.tenant))
      throw new PoisonEventError(`key result ${data.keyResultId}: tenant ${event.tenant} is not a uuid`);
    const fact: KeyResultFact = {
      tenantId: event.tenant,
      keyResultId: data.keyResultId,
      objectiveId: data.objectiveId,
      cycleId: data.cycleId,
      version: data.version,
      deleted: data.removed === true,
    };
    const key = `${event.tenant}/${data.keyResultId}`;
    const seen = latest.get(key);
    if (!seen) latest.set(key, fact);
    else
      latest.set(key, {
        ...(fact.version > seen.version ? fact : seen),
        deleted: seen.deleted || fact.deleted,
      });
  }
  return [...latest.values()];
}
