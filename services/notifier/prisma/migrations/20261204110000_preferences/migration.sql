-- Each person's notification preferences as they set them (PUT /people/{id}/preferences): a document of
-- the fields they chose; a field they left out follows the tenant's defaults.
CREATE TABLE "preferences" (
    "tenant_id" UUID NOT NULL,
    "person_id" UUID NOT NULL,
    "settings" JSONB NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "preferences_pkey" PRIMARY KEY ("tenant_id","person_id")
);

-- A tenant's defaults (PUT /preferences/defaults, admins): what applies where a person chose nothing.
CREATE TABLE "tenant_preferences" (
    "tenant_id" UUID NOT NULL,
    "settings" JSONB NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "tenant_preferences_pkey" PRIMARY KEY ("tenant_id")
);

-- held: waiting for the person's next digest; digested: carried by the digest `digest_id`.
ALTER TABLE "deliveries" DROP CONSTRAINT "deliveries_state_check";
ALTER TABLE "deliveries" ADD CONSTRAINT "deliveries_state_check"
    CHECK ("state" IN ('pending', 'sent', 'skipped', 'parked', 'held', 'digested'));
-- Why a pending email waits past its first due time (quiet-hours, out-of-office); a reminder's deadline.
ALTER TABLE "deliveries" ADD COLUMN "deferred_reason" TEXT;
ALTER TABLE "deliveries" ADD COLUMN "due_at" TIMESTAMPTZ(3);
ALTER TABLE "deliveries" ADD COLUMN "digest_id" UUID;
CREATE INDEX "deliveries_held_idx" ON "deliveries"("tenant_id", "recipient_id") WHERE "state" = 'held';

-- Objective scores as scoring announces them (okr.objective.scored.v1), one row per asOf: what moved
-- within a digest's period, and whether the objective is at risk now.
CREATE TABLE "objective_scores" (
    "tenant_id" UUID NOT NULL,
    "objective_id" UUID NOT NULL,
    "as_of" TIMESTAMPTZ(3) NOT NULL,
    "score" DOUBLE PRECISION NOT NULL,
    "at_risk" BOOLEAN NOT NULL,

    CONSTRAINT "objective_scores_pkey" PRIMARY KEY ("tenant_id","objective_id","as_of")
);

-- Each person's latest check-in (okr.check-in.recorded.v1): who of a team has not checked in.
CREATE TABLE "check_ins" (
    "tenant_id" UUID NOT NULL,
    "person_id" UUID NOT NULL,
    "last_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "check_ins_pkey" PRIMARY KEY ("tenant_id","person_id")
);
