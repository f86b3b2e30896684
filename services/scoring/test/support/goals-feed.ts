import { randomUUID } from "node:crypto";
import {
  CheckInRecorded,
  CyclePhaseChanged,
  createEvent,
  type EventDefinition,
  type EventEnvelope,
  GOALS_TOPICS,
  KeyResultUpserted,
  ObjectiveUpserted,
  TeamChanged,
} from "@okr/events";
import { type KeyResultUpsertedData, keyResultUpsertedData } from "@okr/events/testing";
import { envelopeMessage, type MessageBus } from "@okr/messaging";
import { uniqueName } from "@okr/testkit";
import type { TObject } from "typebox";

/**
 * Goals events on topics of the test's own (same contracts, same keys, one private topic per goals
 * topic), so a test reads exactly the stream it wrote.
 */
export class GoalsFeed {
  readonly topics = Object.fromEntries(
    Object.values(GOALS_TOPICS).map((topic) => [topic, uniqueName(topic)]),
  ) as Record<string, string>;

  readonly bus: MessageBus;

  constructor(bus: MessageBus) {
    this.bus = bus;
  }

  get topicList(): string[] {
    return Object.values(this.topics);
  }

  async ensure(): Promise<void> {
    await this.bus.ensureTopics(this.topicList, { partitions: 3 });
  }

  /** Publishes envelopes to the private topic of their event type, keyed like the goals outbox keys them. */
  async send(events: { definition: EventDefinition; envelope: EventEnvelope }[]): Promise<void> {
    const producer = this.bus.producer();
    await producer.connect();
    try {
      for (let i = 0; i < events.length; i += 1000) {
        await producer.send(
          events
            .slice(i, i + 1000)
            .map(({ definition, envelope }) => envelopeMessage(this.topics[definition.topic]!, envelope)),
        );
      }
    } finally {
      await producer.disconnect();
    }
  }
}

/** Builds valid goals events for one tenant. */
export class GoalsEvents {
  readonly tenant = randomUUID();
  readonly cycleId = randomUUID();

  // Data is checked against the contract's schema by createEvent at run time. (Statically, the contracts'
  // literal unions built with .map() come out as `never`, so the builders below pass plain objects.)
  event<S extends TObject>(definition: EventDefinition<string, S>, data: Record<string, unknown>) {
    return {
      definition: definition as unknown as EventDefinition,
      envelope: createEvent(definition, data as never, { tenant: this.tenant }),
    };
  }

  cycle(startsAt: Date, endsAt: Date, phase: "CHECK_INS" | "SCORING" = "CHECK_INS") {
    const data = {
      cycleId: this.cycleId,
      name: "Q1",
      phase,
      previousPhase: null,
      startsAt: startsAt.toISOString(),
      endsAt: endsAt.toISOString(),
      changedAt: new Date().toISOString(),
    };
    return this.event(CyclePhaseChanged, data);
  }

  team(teamId: string, name: string) {
    return this.event(TeamChanged, { teamId, name, parentTeamId: null, leaderIds: [], removed: false });
  }

  objective(
    objectiveId: string,
    options: {
      teamId: string;
      kind?: "committed" | "aspirational";
      weight?: number;
      alignedTo?: string | null;
      contributesTo?: string | null;
      version?: number;
    },
  ) {
    const data = {
      objectiveId,
      cycleId: this.cycleId,
      title: `Objective ${objectiveId.slice(0, 4)}`,
      kind: options.kind ?? "aspirational",
      state: "approved",
      owner: { kind: "team", id: options.teamId },
      weight: options.weight ?? 1,
      alignedToObjectiveId: options.alignedTo ?? null,
      contributesToKeyResultId: options.contributesTo ?? null,
      version: options.version ?? 1,
    };
    return this.event(ObjectiveUpserted, data);
  }

  keyResult(keyResultId: string, objectiveId: string, definition: Record<string, unknown> = {}) {
    const data = keyResultUpsertedData({
      keyResultId,
      objectiveId,
      cycleId: this.cycleId,
      ...(definition as Partial<KeyResultUpsertedData>),
    });
    return this.event(KeyResultUpserted, data);
  }

  checkIn(
    keyResultId: string,
    objectiveId: string,
    value: number,
    recordedAt: Date,
    options: { confidence?: number; milestonesDone?: number; checkInId?: string } = {},
  ) {
    const data = {
      checkInId: options.checkInId ?? randomUUID(),
      keyResultId,
      objectiveId,
      cycleId: this.cycleId,
      value,
      ...(options.milestonesDone === undefined ? {} : { milestonesDone: options.milestonesDone }),
      confidence: options.confidence ?? 0.8,
      note: "weekly",
      evidence: {},
      authorId: null,
      source: "person",
      recordedAt: recordedAt.toISOString(),
    };
    return this.event(CheckInRecorded, data);
  }
}
