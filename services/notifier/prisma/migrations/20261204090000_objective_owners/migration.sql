-- Objectives' titles and owners as goals announces them (okr.objective.upserted.v1): whom an at-risk
-- alert is for. The highest version wins.
CREATE TABLE "objective_owners" (
    "tenant_id" UUID NOT NULL,
    "objective_id" UUID NOT NULL,
    "title" TEXT NOT NULL,
    "owner_kind" TEXT NOT NULL,
    "owner_id" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "removed" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "objective_owners_pkey" PRIMARY KEY ("tenant_id","objective_id"),
    CONSTRAINT "objective_owners_kind_check" CHECK ("owner_kind" IN ('team', 'person'))
);
