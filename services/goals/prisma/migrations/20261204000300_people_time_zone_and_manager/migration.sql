-- What notifiers need to address a person well: their time zone (quiet hours, digests) and their
-- manager (escalations). Removing a manager leaves their reports without one.
ALTER TABLE "people" ADD COLUMN "time_zone" TEXT;
ALTER TABLE "people" ADD COLUMN "manager_id" UUID;
ALTER TABLE "people" ADD CONSTRAINT "people_tenant_id_manager_id_fkey" FOREIGN KEY ("tenant_id", "manager_id") REFERENCES "people"("tenant_id", "id") ON DELETE SET NULL ("manager_id");
CREATE INDEX "people_tenant_id_manager_id_idx" ON "people" ("tenant_id", "manager_id");
