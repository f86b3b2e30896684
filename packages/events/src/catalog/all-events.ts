import { cycleEvents } from "../contracts/cycle.ts";
import { goalsEvents } from "../contracts/goals.ts";
import { notifierEvents } from "../contracts/notifier.ts";
import { scoringEvents } from "../contracts/scoring.ts";
import { valueStreamEvents } from "../contracts/value-stream.ts";
import type { EventDefinition } from "../registry.ts";

/** Every event type the platform publishes: the source of the machine-readable catalog. */
export const ALL_EVENTS: readonly EventDefinition[] = [
  ...goalsEvents,
  ...scoringEvents,
  ...valueStreamEvents,
  ...cycleEvents,
  ...notifierEvents,
] as unknown as readonly EventDefinition[];
