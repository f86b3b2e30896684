import { randomUUID } from "node:crypto";
import type { KeyResultUpserted, PersonChanged } from "./contracts/goals.ts";
import type { EventData } from "./registry.ts";

export type KeyResultUpsertedData = EventData<typeof KeyResultUpserted>;

/**
 * A valid KeyResultUpserted payload for tests and benches: an increase-to key result from 0 to 100
 * points, weight 1, version 1, fresh ids; `fields` overrides any of it.
 */
export function keyResultUpsertedData(fields: Partial<KeyResultUpsertedData> = {}): KeyResultUpsertedData {
  return {
    keyResultId: randomUUID(),
    objectiveId: randomUUID(),
    cycleId: randomUUID(),
    title: "Raise it",
    // The contract's union of KR types comes out as `never` statically; the schema checks it at run time.
    type: "increase-to" as never,
    baseline: 0,
    target: 100,
    bandLow: null,
    bandHigh: null,
    milestones: [],
    unit: "points",
    weight: 1,
    version: 1,
    ...fields,
  };
}

export type PersonChangedData = EventData<typeof PersonChanged>;

/**
 * A valid PersonChanged payload for tests and benches: an active person in no team, with a fresh id and
 * email address, changed now; `fields` overrides any of it.
 */
export function personChangedData(fields: Partial<PersonChangedData> = {}): PersonChangedData {
  return {
    personId: randomUUID(),
    name: "Ada Lovelace",
    email: `${randomUUID()}@example.com`,
    active: true,
    timeZone: "Europe/Berlin",
    managerId: null,
    teams: [],
    removed: false,
    changedAt: new Date().toISOString(),
    ...fields,
  };
}
