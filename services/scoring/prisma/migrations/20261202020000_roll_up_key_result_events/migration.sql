-- The key results whose score a batch moved: the roll-up publishes their okr.key-result.scored.v1
-- events (one per KR and roll-up, with its latest score), keeping the batch's transaction short.
ALTER TABLE "objective_roll_up_requests" ADD COLUMN "key_result_ids" UUID[] NOT NULL DEFAULT '{}';
