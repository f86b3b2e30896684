-- Whether a person who signs in through a trusted identity provider, with a verified email that matches
-- nobody of the organization, joins it as a member (otherwise an administrator or SCIM provisions them).
ALTER TABLE "organizations" ADD COLUMN "self_join" BOOLEAN NOT NULL DEFAULT false;
