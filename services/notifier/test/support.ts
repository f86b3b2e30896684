import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import {
  ALL_EVENTS,
  type EventData,
  type ObjectiveAtRisk,
  ObjectiveScored,
  ObjectiveUpserted,
  PersonChanged,
  ReminderDue,
  TeamChanged,
} from "@okr/events";
import { personChangedData } from "@okr/events/testing";
import {
  apiFor,
  ServiceProcess,
  sendEvent,
  startConsumerGroupsAt,
  startTestService,
  type TestService,
  testBus,
  waitFor,
} from "@okr/testkit";
import { afterAll, beforeAll, expect } from "vitest";
import type { NotifierConfig } from "../src/config.ts";
import type { NotifierDb } from "../src/database.ts";
import { notifierService } from "../src/service.ts";
import { startMailbox } from "./mailbox.ts";

export type Notifier = TestService<NotifierDb, NotifierConfig>;

/**
 * The notifier as its process runs (real Postgres and Kafka) mailing to a real SMTP server in the test
 * process, and a producer to publish what goals and the cycle workflows would.
 */
export async function startNotifier(overrides: Record<string, string> = {}) {
  const mailbox = await startMailbox();
  const service: Notifier = await startTestService(notifierService, { SMTP_URL: mailbox.url, ...overrides });
  const producer = testBus().producer();
  await producer.connect();
  return {
    mailbox,
    service,
    producer,
    async stop() {
      await producer.disconnect();
      await service.stop();
      await mailbox.close();
    },
  };
}

export type RunningNotifier = Awaited<ReturnType<typeof startNotifier>>;

/** A notifier for a test file: started before its tests, stopped after; its parts once started. */
export function useNotifier(overrides: Record<string, string> = {}): RunningNotifier {
  const notifier = {} as RunningNotifier;
  beforeAll(async () => {
    Object.assign(notifier, await startNotifier(overrides));
  });
  afterAll(async () => {
    await notifier.stop?.();
  });
  return notifier;
}

/** Publishes an event of `tenant` to its topic exactly as its producer's relay does. */
export const publish = sendEvent;

/** A person's whole state as goals announces it; `fields` overrides any of it. */
export const personChanged = personChangedData;

/** A factory of event data: fresh `defaults` for each call, `fields` overrides any of them. */
const eventData =
  <T>(defaults: () => T) =>
  (fields: Partial<T> = {}): T => ({ ...defaults(), ...fields });

/** A team as goals announces it; `fields` overrides any of it. */
export const teamChanged = eventData<EventData<typeof TeamChanged>>(() => ({
  teamId: randomUUID(),
  name: "Platform",
  parentTeamId: null,
  leaderIds: [],
  removed: false,
}));

type Recipient = { kind: "team" | "person"; id: string };

const reminderData = eventData<EventData<typeof ReminderDue>>(() => ({
  cycleId: randomUUID(),
  phase: "CHECK_INS" as never,
  action: "check-in" as never,
  recipient: { kind: "person", id: randomUUID() },
  dueAt: "2026-12-07T09:00:00.000Z",
  escalation: false,
  message: "Time for this week's check-in.",
}));

/** A reminder to `recipient` as the cycle workflows publish it; `fields` overrides any of it. */
export const reminderDue = (recipient: Recipient, fields: Partial<EventData<typeof ReminderDue>> = {}) =>
  reminderData({ recipient, ...fields });

const objectiveData = eventData<EventData<typeof ObjectiveUpserted>>(() => ({
  objectiveId: randomUUID(),
  cycleId: randomUUID(),
  title: "Delight our customers",
  kind: "committed",
  state: "approved" as never,
  owner: { kind: "person", id: randomUUID() },
  weight: 1,
  alignedToObjectiveId: null,
  contributesToKeyResultId: null,
  version: 1,
}));

/** An objective as goals announces it, owned by `owner`; `fields` overrides any of it. */
export const objectiveUpserted = (
  owner: Recipient,
  fields: Partial<EventData<typeof ObjectiveUpserted>> = {},
) => objectiveData({ owner, ...fields });

/**
 * Publishes `team` (when given) and then `people` of a fresh `tenant` as goals announces them, and waits
 * until the notifier knows the team and every one of the people.
 */
export async function publishPeople(
  notifier: RunningNotifier,
  tenant: string,
  people: EventData<typeof PersonChanged>[],
  team?: EventData<typeof TeamChanged>,
): Promise<void> {
  if (team) await sendEvent(notifier.producer, TeamChanged, team, tenant);
  for (const person of people) await sendEvent(notifier.producer, PersonChanged, person, tenant);
  const { pool } = notifier.service.runtime;
  const teamKnown = async (teamId: string) =>
    (await pool.query("select 1 from teams where tenant_id = $1 and team_id = $2", [tenant, teamId]))
      .rowCount === 1;
  await waitFor(
    "the notifier to learn the people",
    async () =>
      (!team || (await teamKnown(team.teamId))) &&
      (await knownPeopleCount(notifier.service, tenant)) === people.length,
  );
}

/**
 * Publishes `objectives` of `tenant` (versions of one objective too) in order, as goals announces them, and
 * waits until the notifier knows the owner of each.
 */
export async function publishObjectives(
  notifier: RunningNotifier,
  tenant: string,
  objectives: EventData<typeof ObjectiveUpserted>[],
): Promise<void> {
  for (const objective of objectives)
    await sendEvent(notifier.producer, ObjectiveUpserted, objective, tenant);
  const ids = [...new Set(objectives.map((objective) => objective.objectiveId))];
  await waitFor("the notifier to learn the objectives", async () => {
    const { rowCount } = await notifier.service.runtime.pool.query(
      "select 1 from objective_owners where tenant_id = $1 and objective_id = any($2::uuid[])",
      [tenant, ids],
    );
    return rowCount === ids.length;
  });
}

/**
 * Publishes a reminder to `recipient` due two days after `period` ends (its digest's time), as one the
 * digest of the period lists as due next.
 */
export const publishReminderAfter = (
  producer: RunningNotifier["producer"],
  recipient: Recipient,
  period: { at: Date },
  tenant: string,
) =>
  sendEvent(
    producer,
    ReminderDue,
    reminderDue(recipient, { dueAt: new Date(period.at.getTime() + 2 * 86_400_000).toISOString() }),
    tenant,
  );

/**
 * Publishes two scores of `objective` (as scoring announces them): 40% before `period`, then 25% and at
 * risk a minute before its end, so the score moved from 40% to 25% in the period and is at risk at its end.
 */
export async function publishScoreMoved(
  producer: RunningNotifier["producer"],
  objective: { objectiveId: string; cycleId: string },
  period: { since: Date; at: Date },
  tenant: string,
): Promise<void> {
  const scores = [
    { asOf: new Date(period.since.getTime() - 60 * 60_000), score: 0.4, atRisk: false },
    { asOf: new Date(period.at.getTime() - 60_000), score: 0.25, atRisk: true },
  ];
  for (const { asOf, score, atRisk } of scores)
    await sendEvent(
      producer,
      ObjectiveScored,
      {
        objectiveId: objective.objectiveId,
        cycleId: objective.cycleId,
        kind: "committed",
        score,
        grade: score,
        band: atRisk ? "red" : "yellow",
        atRisk,
        policy: { id: "default", version: 1 },
        asOf: asOf.toISOString(),
      },
      tenant,
    );
}

/** An at-risk alert as the cycle workflows publish it. */
export const objectiveAtRisk = (objectiveId: string): EventData<typeof ObjectiveAtRisk> => ({
  cycleId: randomUUID(),
  objectiveId,
  score: 0.2,
  expected: 0.5,
  reasons: ["no check-in for three weeks"],
  detectedAt: new Date().toISOString(),
});

/** How many people of `tenant` the notifier's replica holds. */
export async function knownPeopleCount(service: Notifier, tenant: string): Promise<number> {
  const { rows } = await service.runtime.pool.query<{ n: number }>(
    "select count(*)::int as n from people where tenant_id = $1",
    [tenant],
  );
  return rows[0]?.n ?? 0;
}

/** A client for one caller of the test service (testkit's, shared with the other services' tests). */
export { apiFor };

/** A delivery as the deliveries API lists it: the fields the tests read. */
export type Delivery = {
  id: string;
  eventId: string;
  recipientId: string;
  channel: string;
  state: string;
  skipReason: string | null;
};

/** The deliveries of one event of `tenant`, as an admin lists them through the API. */
export async function deliveriesOf(notifier: RunningNotifier, tenant: string, eventId: string) {
  const api = apiFor(notifier.service, await notifier.service.token(["admin"], tenant));
  const response = await api.get("/deliveries?limit=1000");
  expect(response.status).toBe(200);
  return (response.json().items as Delivery[]).filter((d) => d.eventId === eventId);
}

/**
 * The suffixes of the notifier's consumer groups (its consumers in src/consumers). A group missing here
 * still works, but reads the shared topics from their beginning.
 */
const CONSUMER_GROUPS = ["people", "teams", "objectives", "notifications", "activity", "webhooks"];

/** The notifier's entry point (`src/main.ts`, as `npm start` runs it) in a process of its own. */
export const NotifierProcess = {
  /**
   * Starts the groups of KAFKA_CONSUMER_GROUP `prefix` on every catalog topic at what is published from
   * now on: the process's own bus would read the shared topics' whole history first. Call it once,
   * before the first process of the prefix starts.
   */
  async startGroups(prefix: string): Promise<void> {
    const topics = [...new Set(ALL_EVENTS.map((definition) => definition.topic))];
    await startConsumerGroupsAt(
      CONSUMER_GROUPS.map((suffix) => `${prefix}.${suffix}`),
      topics,
      Date.now(),
    );
  },

  /** `env` gives DATABASE_URL, KAFKA_CONSUMER_GROUP and SMTP_URL, and may add or override any variable. */
  spawn: (
    env: { DATABASE_URL: string; KAFKA_CONSUMER_GROUP: string; SMTP_URL: string } & Record<string, string>,
  ) =>
    ServiceProcess.spawn(fileURLToPath(new URL("../src/main.ts", import.meta.url)), {
      AUTH_JWT_SECRET: "notifier-process-test-secret-0123456789",
      ...env,
    }),
};
