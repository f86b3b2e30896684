-- A key result carried into the next cycle names the one it continues (no foreign key: the earlier
-- cycle's KR may be deleted later without touching its successor).
ALTER TABLE "key_results" ADD COLUMN "carried_from_key_result_id" UUID;
