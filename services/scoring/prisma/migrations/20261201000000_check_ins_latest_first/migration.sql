-- The scorer reads a key result's latest check-ins and counts the rest (see loadScoringCheckIns), so
-- the index orders them latest first; it still serves every lookup by key result.
DROP INDEX "check_ins_key_result_id_idx";

CREATE INDEX "check_ins_key_result_id_recorded_at_id_idx" ON "check_ins"("key_result_id", "recorded_at" DESC, "id" DESC);
