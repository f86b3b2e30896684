-- The scoring service's read model of the goals it scores (built from goals events), the scores it
-- keeps current, each objective's score history, named versioned policies and frozen cycle gradings.
CREATE TABLE "cycles" (
    "id" UUID NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "phase" TEXT NOT NULL,
    "starts_at" TIMESTAMPTZ(3) NOT NULL,
    "ends_at" TIMESTAMPTZ(3) NOT NULL,
    "phase_changed_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "cycles_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "teams" (
    "id" UUID NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "parent_team_id" UUID,
    "removed" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "teams_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "objectives" (
    "id" UUID NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "cycle_id" UUID NOT NULL,
    "title" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "owner_kind" TEXT NOT NULL,
    "owner_id" UUID NOT NULL,
    "weight" DOUBLE PRECISION NOT NULL,
    "aligned_to_objective_id" UUID,
    "contributes_to_key_result_id" UUID,
    "version" INTEGER NOT NULL,
    "own_score" DOUBLE PRECISION,
    "score" DOUBLE PRECISION,
    "grade" DOUBLE PRECISION,
    "band" TEXT,
    "confidence" DOUBLE PRECISION,
    "policy_id" TEXT,
    "policy_version" INTEGER,
    "scored_at" TIMESTAMPTZ(3),

    CONSTRAINT "objectives_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "key_results" (
    "id" UUID NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "objective_id" UUID NOT NULL,
    "cycle_id" UUID NOT NULL,
    "title" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "baseline" DOUBLE PRECISION,
    "target" DOUBLE PRECISION,
    "band_low" DOUBLE PRECISION,
    "band_high" DOUBLE PRECISION,
    "milestones" TEXT[],
    "unit" TEXT NOT NULL,
    "weight" DOUBLE PRECISION NOT NULL,
    "version" INTEGER NOT NULL,
    "progress" DOUBLE PRECISION,
    "score" DOUBLE PRECISION,
    "confidence" DOUBLE PRECISION,
    "confidence_trend" DOUBLE PRECISION,
    "current_value" DOUBLE PRECISION,
    "check_in_count" INTEGER NOT NULL DEFAULT 0,
    "scored_at" TIMESTAMPTZ(3),

    CONSTRAINT "key_results_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "check_ins" (
    "id" UUID NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "key_result_id" UUID NOT NULL,
    "value" DOUBLE PRECISION NOT NULL,
    "milestones_done" INTEGER,
    "confidence" DOUBLE PRECISION NOT NULL,
    "recorded_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "check_ins_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "objective_score_history" (
    "id" BIGSERIAL NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "objective_id" UUID NOT NULL,
    "cycle_id" UUID NOT NULL,
    "score" DOUBLE PRECISION NOT NULL,
    "grade" DOUBLE PRECISION NOT NULL,
    "band" TEXT NOT NULL,
    "policy_id" TEXT NOT NULL,
    "policy_version" INTEGER NOT NULL,
    "recorded_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "objective_score_history_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "scoring_policies" (
    "tenant_id" TEXT NOT NULL,
    "id" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "definition" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "scoring_policies_pkey" PRIMARY KEY ("tenant_id","id","version")
);

CREATE TABLE "cycle_gradings" (
    "cycle_id" UUID NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "policy_id" TEXT NOT NULL,
    "policy_version" INTEGER NOT NULL,
    "policy_fingerprint" TEXT NOT NULL,
    "report" JSONB NOT NULL,
    "graded_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "cycle_gradings_pkey" PRIMARY KEY ("cycle_id")
);

CREATE INDEX "objectives_tenant_id_cycle_id_idx" ON "objectives"("tenant_id", "cycle_id");
CREATE INDEX "objectives_aligned_to_objective_id_idx" ON "objectives"("aligned_to_objective_id");
CREATE INDEX "objectives_contributes_to_key_result_id_idx" ON "objectives"("contributes_to_key_result_id");
CREATE INDEX "key_results_objective_id_idx" ON "key_results"("objective_id");
CREATE INDEX "key_results_tenant_id_cycle_id_idx" ON "key_results"("tenant_id", "cycle_id");
CREATE INDEX "check_ins_key_result_id_idx" ON "check_ins"("key_result_id");
CREATE INDEX "objective_score_history_objective_id_id_idx" ON "objective_score_history"("objective_id", "id");
