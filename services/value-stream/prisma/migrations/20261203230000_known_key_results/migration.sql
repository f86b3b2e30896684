-- The goals service's key results as value-stream knows them (from KeyResultUpserted events).
CREATE TABLE "known_key_results" (
    "tenant_id" UUID NOT NULL,
    "key_result_id" UUID NOT NULL,
    "objective_id" UUID NOT NULL,
    "cycle_id" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "deleted" BOOLEAN NOT NULL DEFAULT false,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "known_key_results_pkey" PRIMARY KEY ("tenant_id","key_result_id")
);
