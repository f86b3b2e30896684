-- SCIM provisioning and sign-in identities. A deactivated person (active = false) can no longer act;
-- `user_name` is the identity provider's login name when it differs from the email (Entra's UPN).
ALTER TABLE "people" ADD COLUMN "active" BOOLEAN NOT NULL DEFAULT true;
ALTER TABLE "people" ADD COLUMN "external_id" TEXT;
ALTER TABLE "people" ADD COLUMN "user_name" TEXT;
ALTER TABLE "people" ADD COLUMN "given_name" TEXT;
ALTER TABLE "people" ADD COLUMN "family_name" TEXT;
CREATE INDEX "people_tenant_id_user_name_idx" ON "people" ("tenant_id", lower(coalesce("user_name", "email")));

-- A SCIM group is a team; the identity provider's id for it is kept beside the team's own.
ALTER TABLE "teams" ADD COLUMN "external_id" TEXT;

-- Which sign-in identity (an issuer's subject) is which person of the tenant.
CREATE TABLE "identity_links" (
    "tenant_id" UUID NOT NULL,
    "issuer" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "person_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "identity_links_pkey" PRIMARY KEY ("tenant_id", "issuer", "subject")
);
CREATE INDEX "identity_links_tenant_id_person_id_idx" ON "identity_links" ("tenant_id", "person_id");
ALTER TABLE "identity_links" ADD CONSTRAINT "identity_links_tenant_id_person_id_fkey" FOREIGN KEY ("tenant_id", "person_id") REFERENCES "people"("tenant_id", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- One provisioning token per tenant, kept only as the SHA-256 of its text (rotation replaces the row).
CREATE TABLE "scim_tokens" (
    "tenant_id" UUID NOT NULL,
    "id" UUID NOT NULL,
    "token_hash" TEXT NOT NULL,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "scim_tokens_pkey" PRIMARY KEY ("tenant_id")
);
CREATE UNIQUE INDEX "scim_tokens_token_hash_key" ON "scim_tokens" ("token_hash");
