import { CheckInRecorded, type EventData, type EventEnvelope, ObjectiveScored } from "@okr/events";
import { EventConsumer } from "@okr/messaging";
import { runtimeConsumer } from "@okr/service-kit";
import { type CheckInFact, recordCheckIns, recordScores, type ScoreFact } from "../repositories/activity.ts";
import type { NotifierRuntime } from "../service.ts";
import { latestPerKey, requireUuidTenant } from "./fold.ts";

/**
 * What digests summarize, learnt from events: objective scores (okr.objective.scored.v1, each kept
 * under its asOf) and who checked in when (okr.check-in.recorded.v1 by a person; system check-ins
 * name nobody). The other events of both topics are skipped unparsed.
 */
export function activityConsumer(runtime: NotifierRuntime, groupId = `${runtime.consumerGroup}.activity`) {
  return new EventConsumer({
    ...runtimeConsumer(runtime, groupId, [ObjectiveScored, CheckInRecorded]),
    handleBatch: async (events, tx) => {
      for (const event of events) requireUuidTenant(event, `${event.type} ${event.id}`);
      const scores = latestPerKey(
        events.filter((event) => event.type === ObjectiveScored.type),
        scoreFact,
        () => false,
      );
      const checkIns = latestPerKey(
        events.filter((event) => event.type === CheckInRecorded.type && checkInAuthor(event)),
        checkInFact,
        (a, b) => Date.parse(a.recordedAt) > Date.parse(b.recordedAt),
      );
      await recordScores(tx, scores);
      await recordCheckIns(tx, checkIns);
    },
  });
}

const checkInAuthor = (event: EventEnvelope) => (event.data as EventData<typeof CheckInRecorded>).authorId;

function scoreFact(event: EventEnvelope): { key: string; fact: ScoreFact } {
  const data = event.data as EventData<typeof ObjectiveScored>;
  return {
    key: `${event.tenant}/${data.objectiveId}/${data.asOf}`,
    fact: {
      tenantId: event.tenant,
      objectiveId: data.objectiveId,
      asOf: data.asOf,
      score: data.score,
      atRisk: data.atRisk,
    },
  };
}

function checkInFact(event: EventEnvelope): { key: string; fact: CheckInFact } {
  const data = event.data as EventData<typeof CheckInRecorded>;
  const personId = data.authorId as string;
  return {
    key: `${event.tenant}/${personId}`,
    fact: { tenantId: event.tenant, personId, recordedAt: data.recordedAt },
  };
}
