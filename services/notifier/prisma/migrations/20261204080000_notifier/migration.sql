-- People as the goals service announces them (okr.person.changed.v1): whom the notifier addresses.
-- A removed person keeps a row (so a late, older event cannot revive them) but no email or name.
CREATE TABLE "people" (
    "tenant_id" UUID NOT NULL,
    "person_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "email" TEXT,
    "active" BOOLEAN NOT NULL,
    "time_zone" TEXT,
    "manager_id" UUID,
    "removed" BOOLEAN NOT NULL DEFAULT false,
    "changed_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "people_pkey" PRIMARY KEY ("tenant_id","person_id")
);

-- Each person's teams and role in them, replaced whole with every newer person event.
CREATE TABLE "team_members" (
    "tenant_id" UUID NOT NULL,
    "team_id" UUID NOT NULL,
    "person_id" UUID NOT NULL,
    "role" TEXT NOT NULL,

    CONSTRAINT "team_members_pkey" PRIMARY KEY ("tenant_id","team_id","person_id"),
    CONSTRAINT "team_members_role_check" CHECK ("role" IN ('leader', 'member'))
);
CREATE INDEX "team_members_person_idx" ON "team_members"("tenant_id", "person_id");

-- Teams as announced (okr.team.changed.v1), for their leaders; `changed_at` is the event's time.
CREATE TABLE "teams" (
    "tenant_id" UUID NOT NULL,
    "team_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "parent_team_id" UUID,
    "leader_ids" UUID[] NOT NULL,
    "removed" BOOLEAN NOT NULL DEFAULT false,
    "changed_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "teams_pkey" PRIMARY KEY ("tenant_id","team_id")
);

-- One row per (event, recipient, channel): written with the consumed event, so a redelivery adds none.
-- email rows are sent by the sender loop; in-app rows are the person's inbox (delivered when written).
CREATE TABLE "deliveries" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "event_id" TEXT NOT NULL,
    "event_type" TEXT NOT NULL,
    "recipient_id" UUID NOT NULL,
    "channel" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "skip_reason" TEXT,
    "address" TEXT,
    "subject" TEXT NOT NULL,
    "body_text" TEXT NOT NULL,
    "body_html" TEXT NOT NULL,
    "link" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3),
    "last_error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sent_at" TIMESTAMPTZ(3),
    "read_at" TIMESTAMPTZ(3),

    CONSTRAINT "deliveries_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "deliveries_channel_check" CHECK ("channel" IN ('email', 'in-app')),
    CONSTRAINT "deliveries_state_check" CHECK ("state" IN ('pending', 'sent', 'skipped', 'parked'))
);
CREATE UNIQUE INDEX "deliveries_event_recipient_channel_key" ON "deliveries"("event_id", "recipient_id", "channel");
-- What the sender claims: due email deliveries, oldest due first.
CREATE INDEX "deliveries_due_idx" ON "deliveries"("next_attempt_at") WHERE "state" = 'pending';
CREATE INDEX "deliveries_tenant_state_idx" ON "deliveries"("tenant_id", "state", "id");
CREATE INDEX "deliveries_recipient_idx" ON "deliveries"("tenant_id", "recipient_id", "channel", "id");
