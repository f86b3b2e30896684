-- A person's id is unique within its tenant only: with a global key, creating a person under an id another
-- tenant already uses answered differently from a free id, which told one tenant about another's people.
ALTER TABLE "team_memberships" DROP CONSTRAINT "team_memberships_person_id_fkey";

ALTER TABLE "people" DROP CONSTRAINT "people_pkey";
ALTER TABLE "people" ADD CONSTRAINT "people_pkey" PRIMARY KEY ("tenant_id", "id");

ALTER TABLE "team_memberships" ADD CONSTRAINT "team_memberships_tenant_id_person_id_fkey" FOREIGN KEY ("tenant_id", "person_id") REFERENCES "people"("tenant_id", "id") ON DELETE CASCADE ON UPDATE CASCADE;
