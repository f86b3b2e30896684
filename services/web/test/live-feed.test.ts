import { randomUUID } from "node:crypto";
import { createEvent, KeyResultScored, ObjectiveScored, SCORING_TOPICS, uuidv7 } from "@okr/events";
import { eventHeaders, type MessageProducer } from "@okr/messaging";
import { testBus, uniqueName, waitFor } from "@okr/testkit";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type LiveEvent, LiveFeed } from "../src/live.ts";

/**
 * The live feed on the real broker: score events reach the listeners of their own tenant only, and an
 * unreadable event is passed over (logged), not forwarded and not fatal.
 */
const bus = testBus();
const warnings: string[] = [];
const feed = new LiveFeed({
  bus,
  groupId: uniqueName("web-live-test"),
  log: (_level, message) => warnings.push(message),
});
let producer: MessageProducer;
const tenantA = randomUUID();
const tenantB = randomUUID();
const heardByA: LiveEvent[] = [];
const heardByB: LiveEvent[] = [];

const objectiveScored = (tenant: string, objectiveId: string, score: number) => {
  const envelope = createEvent(
    ObjectiveScored,
    {
      objectiveId,
      cycleId: uuidv7(),
      kind: "committed",
      score,
      grade: score,
      band: score >= 0.7 ? "green" : score >= 0.4 ? "yellow" : "red",
      atRisk: score < 0.4,
      policy: { id: "google-0-1", version: 1 },
      asOf: new Date().toISOString(),
    },
    { tenant },
  );
  return {
    topic: SCORING_TOPICS.scores,
    key: objectiveId,
    value: JSON.stringify(envelope),
    headers: eventHeaders(envelope, undefined),
  };
};

beforeAll(async () => {
  producer = bus.producer();
  await producer.connect();
  feed.subscribe(tenantA, (event) => heardByA.push(event));
  feed.subscribe(tenantB, (event) => heardByB.push(event));
  feed.start();
  // A new group starts at the newest offset: send a probe until the feed has joined and hears it.
  const probe = uuidv7();
  await waitFor("the feed to join the score topic", async () => {
    await producer.send([objectiveScored(tenantA, probe, 0.5)]);
    return heardByA.some((event) => (event.data as { objectiveId: string }).objectiveId === probe);
  });
});

afterAll(async () => {
  await producer?.disconnect();
  await feed.stop();
});

it("passes a score event to the listeners of its tenant only", async () => {
  const objectiveId = uuidv7();
  const keyResult = createEvent(
    KeyResultScored,
    {
      keyResultId: uuidv7(),
      objectiveId,
      cycleId: uuidv7(),
      progress: 0.6,
      score: 0.6,
      confidence: 0.7,
      policy: { id: "google-0-1", version: 1 },
      asOf: new Date().toISOString(),
    },
    { tenant: tenantB },
  );
  await producer.send([
    objectiveScored(tenantA, objectiveId, 0.25),
    {
      topic: SCORING_TOPICS.scores,
      key: objectiveId,
      value: JSON.stringify(keyResult),
      headers: eventHeaders(keyResult, undefined),
    },
  ]);
  const forA = await waitFor("tenant A's objective score", () =>
    heardByA.find((event) => (event.data as { objectiveId: string }).objectiveId === objectiveId),
  );
  expect(forA).toMatchObject({
    type: "okr.objective.scored.v1",
    data: { objectiveId, score: 0.25, band: "red", atRisk: true },
  });
  const forB = await waitFor("tenant B's key result score", () =>
    heardByB.find((event) => (event.data as { objectiveId: string }).objectiveId === objectiveId),
  );
  expect(forB).toEqual({ type: "okr.key-result.scored.v1", data: keyResult.data });
  // What was not theirs never reached either tenant.
  expect(heardByA.filter((event) => event.type === "okr.key-result.scored.v1")).toEqual([]);
  expect(heardByB.filter((event) => event.type === "okr.objective.scored.v1")).toEqual([]);
});

it("passes over an event whose body does not match its headers' tenant or schema", async () => {
  const objectiveId = uuidv7();
  const valid = objectiveScored(tenantA, objectiveId, 0.9);
  const forged = { ...valid, value: valid.value.replace(tenantA, tenantB) };
  const broken = { ...valid, value: "{not json" };
  // The same key as the bad ones: one partition, so the feed has passed over them when this one arrives.
  const after = { ...objectiveScored(tenantA, uuidv7(), 0.8), key: objectiveId };
  const before = heardByA.length;
  await producer.send([forged, broken, after]);
  const afterId = JSON.parse(after.value).data.objectiveId as string;
  await waitFor("the event after the bad ones", () =>
    heardByA.some((event) => (event.data as { objectiveId: string }).objectiveId === afterId),
  );
  expect(heardByA.slice(before).map((event) => (event.data as { objectiveId: string }).objectiveId)).toEqual([
    afterId,
  ]);
  expect(heardByB.some((event) => (event.data as { objectiveId: string }).objectiveId === objectiveId)).toBe(
    false,
  );
  expect(warnings).toContain("an unreadable score event was not passed on");
});
