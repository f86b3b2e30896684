-- Product families, value streams with current/future-state maps and their steps, work items and their
-- events, kaizen experiments, key results bound to stream metrics, and the metric publisher's state.
CREATE TABLE "product_families" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "customer" TEXT NOT NULL,
    "value_statement" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "product_families_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "value_streams" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "family_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "daily_demand" DOUBLE PRECISION NOT NULL,
    "available_minutes_per_day" DOUBLE PRECISION NOT NULL,
    "wip_policy" TEXT NOT NULL,
    "clocks" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "value_streams_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "stream_maps" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "stream_id" UUID NOT NULL,
    "state" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "rework_links" JSONB NOT NULL DEFAULT '[]',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "stream_maps_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "steps" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "map_id" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "classification" TEXT NOT NULL,
    "process_minutes" DOUBLE PRECISION NOT NULL,
    "wait_minutes" DOUBLE PRECISION,
    "wait_inventory_units" DOUBLE PRECISION,
    "percent_complete_accurate" DOUBLE PRECISION NOT NULL,
    "wip_limit" INTEGER,
    "waste_tags" TEXT[],
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "steps_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "work_items" (
    "stream_id" UUID NOT NULL,
    "item_id" TEXT NOT NULL,
    "tenant_id" UUID NOT NULL,
    "type" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "step_id" UUID,
    "phase" TEXT NOT NULL,
    "blocked_from" TEXT,
    "last_event_at" TIMESTAMPTZ(3),
    "registered_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "work_items_pkey" PRIMARY KEY ("stream_id","item_id")
);

CREATE TABLE "work_item_events" (
    "seq" BIGSERIAL NOT NULL,
    "tenant_id" UUID NOT NULL,
    "stream_id" UUID NOT NULL,
    "item_id" TEXT NOT NULL,
    "step_id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "reason" TEXT,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "over_wip_limit" BOOLEAN NOT NULL DEFAULT false,
    "recorded_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "work_item_events_pkey" PRIMARY KEY ("seq")
);

CREATE TABLE "kaizens" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "stream_id" UUID NOT NULL,
    "title" TEXT NOT NULL,
    "hypothesis" TEXT NOT NULL,
    "target_condition" TEXT NOT NULL,
    "success_criteria" JSONB NOT NULL,
    "linked_step_ids" UUID[],
    "key_result_id" UUID,
    "status" TEXT NOT NULL,
    "baseline" JSONB,
    "result" JSONB,
    "result_note" TEXT,
    "succeeded" BOOLEAN,
    "started_at" TIMESTAMPTZ(3),
    "completed_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "kaizens_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "key_result_bindings" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "stream_id" UUID NOT NULL,
    "key_result_id" UUID NOT NULL,
    "metric" TEXT NOT NULL,
    "direction" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "key_result_bindings_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "stream_metric_states" (
    "stream_id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 0,
    "computed_version" INTEGER NOT NULL DEFAULT 0,
    "dirty_since" TIMESTAMPTZ(3),
    "last_values" JSONB NOT NULL DEFAULT '{}',
    "forced_metrics" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "computed_at" TIMESTAMPTZ(3),
    "compute_ms" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "stream_metric_states_pkey" PRIMARY KEY ("stream_id")
);

CREATE INDEX "product_families_tenant_id_idx" ON "product_families"("tenant_id");

CREATE INDEX "value_streams_tenant_id_family_id_idx" ON "value_streams"("tenant_id", "family_id");

CREATE INDEX "stream_maps_stream_id_idx" ON "stream_maps"("stream_id");

CREATE INDEX "steps_map_id_position_idx" ON "steps"("map_id", "position");

CREATE UNIQUE INDEX "work_item_events_stream_id_item_id_step_id_kind_at_key" ON "work_item_events"("stream_id", "item_id", "step_id", "kind", "at");

CREATE INDEX "kaizens_stream_id_idx" ON "kaizens"("stream_id");

CREATE INDEX "key_result_bindings_stream_id_idx" ON "key_result_bindings"("stream_id");

CREATE UNIQUE INDEX "key_result_bindings_tenant_id_key_result_id_key" ON "key_result_bindings"("tenant_id", "key_result_id");

ALTER TABLE "value_streams" ADD CONSTRAINT "value_streams_family_id_fkey" FOREIGN KEY ("family_id") REFERENCES "product_families"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

ALTER TABLE "stream_maps" ADD CONSTRAINT "stream_maps_stream_id_fkey" FOREIGN KEY ("stream_id") REFERENCES "value_streams"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "steps" ADD CONSTRAINT "steps_map_id_fkey" FOREIGN KEY ("map_id") REFERENCES "stream_maps"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "work_items" ADD CONSTRAINT "work_items_stream_id_fkey" FOREIGN KEY ("stream_id") REFERENCES "value_streams"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "kaizens" ADD CONSTRAINT "kaizens_stream_id_fkey" FOREIGN KEY ("stream_id") REFERENCES "value_streams"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "key_result_bindings" ADD CONSTRAINT "key_result_bindings_stream_id_fkey" FOREIGN KEY ("stream_id") REFERENCES "value_streams"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "stream_metric_states" ADD CONSTRAINT "stream_metric_states_stream_id_fkey" FOREIGN KEY ("stream_id") REFERENCES "value_streams"("id") ON DELETE CASCADE ON UPDATE CASCADE;
