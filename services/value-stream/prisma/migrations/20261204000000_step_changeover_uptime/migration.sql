-- A step's changeover time and uptime, as a value stream map's data box shows them. Both optional: steps
-- drawn before keep NULL and read as before.
ALTER TABLE "steps" ADD COLUMN "changeover_minutes" DOUBLE PRECISION,
ADD COLUMN "uptime_percent" DOUBLE PRECISION;
