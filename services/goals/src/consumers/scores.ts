import { CycleGraded, type EventData, EventRegistry, KeyResultScored, ObjectiveScored } from "@okr/events";
import { EventConsumer, pgTransaction, type SqlExecutor } from "@okr/messaging";
import type pg from "pg";
import type { GoalsRuntime } from "../service.ts";

/**
 * Keeps the latest scores the scoring service publishes in read models shown beside the OKRs. Events
 * can arrive out of order across partitions: an older `asOf` never overwrites a newer score.
 */
export function scoreConsumer(runtime: GoalsRuntime, groupId = `${runtime.consumerGroup}.scores`) {
  return new EventConsumer<SqlExecutor & { client: pg.PoolClient }>({
    bus: runtime.bus,
    groupId,
    registry: new EventRegistry([KeyResultScored, ObjectiveScored, CycleGraded] as never),
    transaction: (work) => pgTransaction(runtime.pool, work),
    log: runtime.log,
    handle: async (event, tx) => {
      const tenant = event.tenant;
      if (event.type === KeyResultScored.type) {
        const d = event.data as EventData<typeof KeyResultScored>;
        await tx.client.query(
          `insert into key_result_scores (key_result_id, tenant_id, objective_id, cycle_id, progress, score, confidence, policy_id, policy_version, as_of)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
           on conflict (key_result_id) do update set
             objective_id = excluded.objective_id, cycle_id = excluded.cycle_id, progress = excluded.progress,
             score = excluded.score, confidence = excluded.confidence, policy_id = excluded.policy_id,
             policy_version = excluded.policy_version, as_of = excluded.as_of
           where key_result_scores.tenant_id = excluded.tenant_id and key_result_scores.as_of <= excluded.as_of`,
          [
            d.keyResultId,
            tenant,
            d.objectiveId,
            d.cycleId,
            d.progress,
            d.score,
            d.confidence,
            d.policy.id,
            d.policy.version,
            d.asOf,
          ],
        );
      } else if (event.type === ObjectiveScored.type) {
        const d = event.data as EventData<typeof ObjectiveScored>;
        await tx.client.query(
          `insert into objective_scores (objective_id, tenant_id, cycle_id, score, grade, band, at_risk, policy_id, policy_version, as_of)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
           on conflict (objective_id) do update set
             cycle_id = excluded.cycle_id, score = excluded.score, grade = excluded.grade, band = excluded.band,
             at_risk = excluded.at_risk, policy_id = excluded.policy_id, policy_version = excluded.policy_version,
             as_of = excluded.as_of
           where objective_scores.tenant_id = excluded.tenant_id and objective_scores.as_of <= excluded.as_of`,
          [
            d.objectiveId,
            tenant,
            d.cycleId,
            d.score,
            d.grade,
            d.band,
            d.atRisk,
            d.policy.id,
            d.policy.version,
            d.asOf,
          ],
        );
      } else if (event.type === CycleGraded.type) {
        const d = event.data as EventData<typeof CycleGraded>;
        await tx.client.query(
          `insert into cycle_grades (cycle_id, tenant_id, organization_score, objectives_graded, policy_id, policy_version, graded_at)
           values ($1, $2, $3, $4, $5, $6, $7)
           on conflict (cycle_id) do update set
             organization_score = excluded.organization_score, objectives_graded = excluded.objectives_graded,
             policy_id = excluded.policy_id, policy_version = excluded.policy_version, graded_at = excluded.graded_at
           where cycle_grades.tenant_id = excluded.tenant_id and cycle_grades.graded_at <= excluded.graded_at`,
          [
            d.cycleId,
            tenant,
            d.organizationScore,
            d.objectivesGraded,
            d.policy.id,
            d.policy.version,
            d.gradedAt,
          ],
        );
      }
    },
  });
}
