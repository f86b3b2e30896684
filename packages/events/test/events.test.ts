import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CATALOG_PATH, renderCatalog } from "../src/catalog/write-catalog.ts";
import {
  ALL_EVENTS,
  CheckInRecorded,
  createEvent,
  EventRegistry,
  InvalidEventError,
  OrganizationCreated,
} from "../src/index.ts";

const orgId = "7b0f3c8e-2f59-4a5e-9d1c-3c2a0e5b9f11";
const krId = "0c2d9a8e-6b1f-4f3a-8c5d-2e7f9a1b3c4d";
const objectiveId = "5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d";
const cycleId = "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d";

const checkIn = {
  checkInId: "9f8e7d6c-5b4a-4c3d-8e2f-1a0b9c8d7e6f",
  keyResultId: krId,
  objectiveId,
  cycleId,
  value: 42,
  confidence: 0.7,
  note: "shipped the onboarding flow",
  evidence: { url: "https://ci.example.com/build/881" },
  authorId: null,
  source: "system" as const,
  recordedAt: "2027-01-15T09:30:00.000Z",
};

describe("createEvent", () => {
  it("wraps a payload in a CloudEvents 1.0 envelope with tenant, traceparent and partition key", () => {
    const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    const event = createEvent(CheckInRecorded, checkIn, { tenant: orgId, traceparent });
    expect(event).toMatchObject({
      specversion: "1.0",
      type: "okr.check-in.recorded.v1",
      source: "/okr/goals",
      tenant: orgId,
      traceparent,
      partitionkey: krId,
      subject: krId,
      datacontenttype: "application/json",
      data: checkIn,
    });
    expect(new Date(event.time).toString()).not.toBe("Invalid Date");
  });

  it("rejects a payload that breaks its schema, naming the field", () => {
    expect(() => createEvent(CheckInRecorded, { ...checkIn, confidence: 1.5 }, { tenant: orgId })).toThrow(
      /\/confidence/,
    );
  });
});

describe("EventRegistry.parse", () => {
  const registry = new EventRegistry(ALL_EVENTS);
  const valid = createEvent(
    OrganizationCreated,
    {
      organizationId: orgId,
      name: "Acme",
      mission: "Make flow visible",
      createdAt: "2027-01-01T00:00:00.000Z",
    },
    { tenant: orgId },
  );

  it("round-trips a valid event", () => {
    expect(registry.parse(Buffer.from(JSON.stringify(valid)))).toEqual(valid);
  });

  it.each([
    ["not JSON", "{nope", /not JSON/],
    ["a JSON array", "[]", /not a CloudEvent/],
    ["missing attributes", JSON.stringify({ data: {} }), /invalid CloudEvent attributes/],
    ["an unknown type", JSON.stringify({ ...valid, type: "okr.unknown.thing.v1" }), /unknown event type/],
    [
      "a bad payload",
      JSON.stringify({ ...valid, data: { ...valid.data, organizationId: "x" } }),
      /organizationId/,
    ],
    ["an extra attribute", JSON.stringify({ ...valid, evil: true }), /invalid CloudEvent attributes/],
  ])("rejects %s with InvalidEventError", (_label, raw, message) => {
    expect(() => registry.parse(raw)).toThrow(InvalidEventError);
    expect(() => registry.parse(raw)).toThrow(message);
  });

  it("refuses two definitions of one type", () => {
    expect(() => new EventRegistry([OrganizationCreated, OrganizationCreated])).toThrow(/defined twice/);
  });
});

describe("event catalog", () => {
  it("lists every event type with a versioned name", () => {
    for (const event of ALL_EVENTS) expect(event.type).toMatch(/^okr\.[a-z.-]+\.v\d+$/);
    expect(new Set(ALL_EVENTS.map((event) => event.type)).size).toBe(ALL_EVENTS.length);
  });

  it("is committed and current (regenerate with `npm run catalog -w @okr/events`)", () => {
    expect(readFileSync(CATALOG_PATH, "utf8")).toBe(renderCatalog());
  });

  it("describes each message with its envelope schema and topic", () => {
    const catalog = JSON.parse(renderCatalog());
    const message = catalog.components.messages.CheckInRecordedV1;
    expect(message.name).toBe("okr.check-in.recorded.v1");
    expect(message.payload.properties.data.required).toContain("keyResultId");
    expect(catalog.channels.goals_key_results.address).toBe("okr.goals.key-results");
  });
});
