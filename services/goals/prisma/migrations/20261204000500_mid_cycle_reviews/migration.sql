-- A team's mid-cycle review held during CHECK_INS, one per team and cycle: the key makes a repeated
-- "held" answer the first record instead of adding another.
CREATE TABLE "mid_cycle_reviews" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "cycle_id" UUID NOT NULL,
    "team_id" UUID NOT NULL,
    "note" TEXT,
    "held_by" TEXT NOT NULL,
    "held_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "mid_cycle_reviews_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "mid_cycle_reviews_tenant_id_cycle_id_team_id_key" ON "mid_cycle_reviews"("tenant_id", "cycle_id", "team_id");
