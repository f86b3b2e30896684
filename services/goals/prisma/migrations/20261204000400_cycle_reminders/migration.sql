-- Reminders the cycle workflows publish, consumed into goals so My work can show deadlines and the
-- mid-cycle reviews asked for. The event id is the key: a redelivered reminder is not stored twice.
CREATE TABLE "cycle_reminders" (
    "id" TEXT NOT NULL,
    "tenant_id" UUID NOT NULL,
    "cycle_id" UUID NOT NULL,
    "team_id" UUID,
    "phase" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "recipient_kind" TEXT NOT NULL,
    "recipient_id" UUID NOT NULL,
    "due_at" TIMESTAMPTZ(3) NOT NULL,
    "escalation" BOOLEAN NOT NULL,
    "sent_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "cycle_reminders_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "cycle_reminders_tenant_id_recipient_id_cycle_id_idx" ON "cycle_reminders"("tenant_id", "recipient_id", "cycle_id");
