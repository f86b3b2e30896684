import { type EventData, type EventEnvelope, ObjectiveUpserted } from "@okr/events";
import { EventConsumer } from "@okr/messaging";
import { runtimeConsumer } from "@okr/service-kit";
import { type ObjectiveFact, recordObjectives } from "../repositories/objectives.ts";
import type { NotifierRuntime } from "../service.ts";
import { latestPerKey, tenantFact } from "./fold.ts";

/**
 * Keeps the replica of objectives' titles and owners from okr.objective.upserted.v1 (the other events
 * of the objectives topic are skipped unparsed), so an at-risk alert reaches the objective's owner.
 * The highest version wins.
 */
export function objectiveReplicaConsumer(
  runtime: NotifierRuntime,
  groupId = `${runtime.consumerGroup}.objectives`,
) {
  return new EventConsumer({
    ...runtimeConsumer(runtime, groupId, [ObjectiveUpserted]),
    handleBatch: (events, tx) =>
      recordObjectives(
        tx,
        latestPerKey(events, objectiveFact, (a, b) => a.version >= b.version),
      ),
  });
}

function objectiveFact(event: EventEnvelope): { key: string; fact: ObjectiveFact } {
  const { objectiveId, title, owner, version, removed } = event.data as EventData<typeof ObjectiveUpserted>;
  return tenantFact(event, "objective", objectiveId, {
    objectiveId,
    title,
    owner,
    version,
    removed: removed === true,
  });
}
