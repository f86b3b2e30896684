-- A committed batch of goals events leaves here the objectives whose roll-up it made stale; a separate
-- transaction re-scores them (rollUpObjectives in services/scoring/src/scorer.ts). One row per batch and tenant, appended
-- without conflicts, so a batch never waits for a roll-up in progress; the roll-up deletes the rows it
-- read, and a crash in between leaves them for the next one.
CREATE TABLE "objective_roll_up_requests" (
    "id" BIGSERIAL NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "objective_ids" UUID[] NOT NULL,
    "requested_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "objective_roll_up_requests_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "objective_roll_up_requests_tenant_id_idx" ON "objective_roll_up_requests"("tenant_id");

-- Every roll-up rewrites its objectives' rows: room on each page keeps the new version there (a HOT
-- update, no entries in the three indexes), as for key_results.
ALTER TABLE "objectives" SET (fillfactor = 50);
