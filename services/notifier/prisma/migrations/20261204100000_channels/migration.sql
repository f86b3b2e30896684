-- A team's chat channels (Slack, Microsoft Teams): a notification addressed to the team is also posted
-- there. The URL is the channel's credential (whoever has it can post), so the API only ever shows it masked.
CREATE TABLE "team_channels" (
    "tenant_id" UUID NOT NULL,
    "team_id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "updated_by" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "team_channels_pkey" PRIMARY KEY ("tenant_id","team_id","kind"),
    CONSTRAINT "team_channels_kind_check" CHECK ("kind" IN ('slack', 'teams'))
);

-- A tenant's outbound webhook endpoints: catalog events of the listed types ('*': all) published after
-- the endpoint was created are posted to it, signed per the Standard Webhooks spec.
CREATE TABLE "webhook_endpoints" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "url" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "event_types" TEXT[] NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "webhook_endpoints_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "webhook_endpoints_tenant_idx" ON "webhook_endpoints"("tenant_id");

-- The signing secrets of an endpoint: every one not expired signs (after a rotation, the old one until
-- its grace period ends). Kept in clear: an HMAC needs the key itself.
CREATE TABLE "webhook_secrets" (
    "id" UUID NOT NULL,
    "endpoint_id" UUID NOT NULL,
    "secret" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3),

    CONSTRAINT "webhook_secrets_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "webhook_secrets_endpoint_idx" ON "webhook_secrets"("endpoint_id");

-- Deliveries to chat channels (recipient: the team) and webhook endpoints (recipient: the endpoint).
-- A webhook delivery is ordered within its endpoint and `ordering_key` (the event's topic and partition
-- key) by `ordering_seq`: the sender does not send it while an earlier one of the same key is pending
-- or parked.
ALTER TABLE "deliveries" DROP CONSTRAINT "deliveries_channel_check";
ALTER TABLE "deliveries" ADD CONSTRAINT "deliveries_channel_check"
    CHECK ("channel" IN ('email', 'in-app', 'slack', 'teams', 'webhook'));
ALTER TABLE "deliveries" ADD COLUMN "ordering_key" TEXT;
ALTER TABLE "deliveries" ADD COLUMN "ordering_seq" BIGINT;
CREATE SEQUENCE "deliveries_ordering_seq";
CREATE INDEX "deliveries_ordering_idx" ON "deliveries"("recipient_id", "ordering_key", "ordering_seq")
    WHERE "state" IN ('pending', 'parked') AND "ordering_key" IS NOT NULL;
