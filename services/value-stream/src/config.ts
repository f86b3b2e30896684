import { ServiceConfigSchema } from "@okr/config";
import { type Static, Type } from "typebox";

/** The shared service variables plus value-stream's own. */
export const ValueStreamConfigSchema = Type.Object({
  ...ServiceConfigSchema.properties,
  WORK_ITEM_BACKFILL_DAYS: Type.Integer({
    minimum: 0,
    default: 365,
    description:
      "how far before a stream's creation its work-item events may be dated (back-filling history), in days",
  }),
});

export type ValueStreamConfig = Static<typeof ValueStreamConfigSchema>;
