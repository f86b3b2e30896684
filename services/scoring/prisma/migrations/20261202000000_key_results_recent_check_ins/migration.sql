-- Each key result keeps its latest check-ins (as many as its policy's confidence-trend window), written
-- by every re-score, so re-scoring a KR after a check-in reads no check-in history (see
-- loadScoringCheckIns). NULL until the KR's next re-score, which then reads check_ins once.
ALTER TABLE "key_results" ADD COLUMN "recent_check_ins" JSONB;

-- Every check-in rewrites its KR's row: room on each page lets the new version stay there (a HOT update,
-- no index entries), and the dead one is pruned in place.
ALTER TABLE "key_results" SET (fillfactor = 50);
