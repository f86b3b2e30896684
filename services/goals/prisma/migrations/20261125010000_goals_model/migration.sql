-- The goals model: OKR policy, people, the team tree, cycles, objectives, key results, check-ins,
-- retrospectives, the audit trail and the read models of scores published by the scoring service.

-- AlterTable
ALTER TABLE "organizations" ADD COLUMN "policy" JSONB;

-- CreateTable
CREATE TABLE "people" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "roles" TEXT[],
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "people_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "teams" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "parent_team_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "teams_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "team_memberships" (
    "team_id" UUID NOT NULL,
    "person_id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "role" TEXT NOT NULL,

    CONSTRAINT "team_memberships_pkey" PRIMARY KEY ("team_id","person_id")
);

-- CreateTable
CREATE TABLE "cycles" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "starts_at" TIMESTAMPTZ(3) NOT NULL,
    "ends_at" TIMESTAMPTZ(3) NOT NULL,
    "time_zone" TEXT NOT NULL,
    "check_in_weekday" INTEGER NOT NULL,
    "check_in_hour" INTEGER NOT NULL,
    "check_in_every_days" INTEGER NOT NULL,
    "phase" TEXT NOT NULL,
    "locked" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "cycles_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "objectives" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "cycle_id" UUID NOT NULL,
    "title" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "owner_kind" TEXT NOT NULL,
    "owner_id" UUID NOT NULL,
    "weight" DOUBLE PRECISION NOT NULL,
    "aligned_to_objective_id" UUID,
    "contributes_to_key_result_id" UUID,
    "return_reason" TEXT,
    "version" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "objectives_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "key_results" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
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
    "evidence_kind" TEXT NOT NULL,
    "evidence_description" TEXT NOT NULL,
    "owner_kind" TEXT,
    "owner_id" UUID,
    "version" INTEGER NOT NULL DEFAULT 1,
    "latest_value" DOUBLE PRECISION,
    "latest_confidence" DOUBLE PRECISION,
    "milestones_done" INTEGER,
    "last_check_in_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "key_results_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "check_ins" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "key_result_id" UUID NOT NULL,
    "value" DOUBLE PRECISION NOT NULL,
    "confidence" DOUBLE PRECISION NOT NULL,
    "note" TEXT NOT NULL,
    "evidence_url" TEXT,
    "evidence_system" TEXT,
    "milestones_done" INTEGER,
    "author_id" TEXT,
    "source" TEXT NOT NULL,
    "recorded_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "check_ins_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "retrospectives" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "cycle_id" UUID NOT NULL,
    "team_id" UUID NOT NULL,
    "went_well" TEXT NOT NULL,
    "did_not_go_well" TEXT NOT NULL,
    "lessons" TEXT NOT NULL,
    "carry_forward_key_result_ids" UUID[],
    "author_id" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "retrospectives_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_entries" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "actor_id" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "entity_type" TEXT NOT NULL,
    "entity_id" TEXT NOT NULL,
    "changes" JSONB NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "audit_entries_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "key_result_scores" (
    "key_result_id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "objective_id" UUID NOT NULL,
    "cycle_id" UUID NOT NULL,
    "progress" DOUBLE PRECISION NOT NULL,
    "score" DOUBLE PRECISION NOT NULL,
    "confidence" DOUBLE PRECISION,
    "policy_id" TEXT NOT NULL,
    "policy_version" INTEGER NOT NULL,
    "as_of" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "key_result_scores_pkey" PRIMARY KEY ("key_result_id")
);

-- CreateTable
CREATE TABLE "objective_scores" (
    "objective_id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "cycle_id" UUID NOT NULL,
    "score" DOUBLE PRECISION NOT NULL,
    "grade" DOUBLE PRECISION NOT NULL,
    "band" TEXT NOT NULL,
    "at_risk" BOOLEAN NOT NULL,
    "policy_id" TEXT NOT NULL,
    "policy_version" INTEGER NOT NULL,
    "as_of" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "objective_scores_pkey" PRIMARY KEY ("objective_id")
);

-- CreateTable
CREATE TABLE "cycle_grades" (
    "cycle_id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "organization_score" DOUBLE PRECISION NOT NULL,
    "objectives_graded" INTEGER NOT NULL,
    "policy_id" TEXT NOT NULL,
    "policy_version" INTEGER NOT NULL,
    "graded_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "cycle_grades_pkey" PRIMARY KEY ("cycle_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "people_tenant_id_email_key" ON "people"("tenant_id", "email");

-- CreateIndex
CREATE INDEX "teams_tenant_id_parent_team_id_idx" ON "teams"("tenant_id", "parent_team_id");

-- CreateIndex
CREATE INDEX "team_memberships_tenant_id_person_id_idx" ON "team_memberships"("tenant_id", "person_id");

-- CreateIndex
CREATE UNIQUE INDEX "cycles_tenant_id_name_key" ON "cycles"("tenant_id", "name");

-- CreateIndex
CREATE INDEX "objectives_tenant_id_cycle_id_idx" ON "objectives"("tenant_id", "cycle_id");

-- CreateIndex
CREATE INDEX "objectives_tenant_id_owner_id_idx" ON "objectives"("tenant_id", "owner_id");

-- CreateIndex
CREATE INDEX "key_results_tenant_id_objective_id_idx" ON "key_results"("tenant_id", "objective_id");

-- CreateIndex
CREATE INDEX "key_results_tenant_id_cycle_id_idx" ON "key_results"("tenant_id", "cycle_id");

-- CreateIndex
CREATE INDEX "check_ins_key_result_id_recorded_at_idx" ON "check_ins"("key_result_id", "recorded_at");

-- CreateIndex
CREATE INDEX "retrospectives_tenant_id_cycle_id_idx" ON "retrospectives"("tenant_id", "cycle_id");

-- CreateIndex
CREATE UNIQUE INDEX "retrospectives_cycle_id_team_id_key" ON "retrospectives"("cycle_id", "team_id");

-- CreateIndex
CREATE INDEX "audit_entries_tenant_id_entity_id_idx" ON "audit_entries"("tenant_id", "entity_id");

-- CreateIndex
CREATE INDEX "audit_entries_tenant_id_at_idx" ON "audit_entries"("tenant_id", "at");

-- CreateIndex
CREATE INDEX "key_result_scores_tenant_id_cycle_id_idx" ON "key_result_scores"("tenant_id", "cycle_id");

-- CreateIndex
CREATE INDEX "objective_scores_tenant_id_cycle_id_idx" ON "objective_scores"("tenant_id", "cycle_id");

-- AddForeignKey
ALTER TABLE "teams" ADD CONSTRAINT "teams_parent_team_id_fkey" FOREIGN KEY ("parent_team_id") REFERENCES "teams"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "team_memberships" ADD CONSTRAINT "team_memberships_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "team_memberships" ADD CONSTRAINT "team_memberships_person_id_fkey" FOREIGN KEY ("person_id") REFERENCES "people"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "objectives" ADD CONSTRAINT "objectives_cycle_id_fkey" FOREIGN KEY ("cycle_id") REFERENCES "cycles"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "objectives" ADD CONSTRAINT "objectives_aligned_to_objective_id_fkey" FOREIGN KEY ("aligned_to_objective_id") REFERENCES "objectives"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "objectives" ADD CONSTRAINT "objectives_contributes_to_key_result_id_fkey" FOREIGN KEY ("contributes_to_key_result_id") REFERENCES "key_results"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "key_results" ADD CONSTRAINT "key_results_objective_id_fkey" FOREIGN KEY ("objective_id") REFERENCES "objectives"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "check_ins" ADD CONSTRAINT "check_ins_key_result_id_fkey" FOREIGN KEY ("key_result_id") REFERENCES "key_results"("id") ON DELETE CASCADE ON UPDATE CASCADE;
