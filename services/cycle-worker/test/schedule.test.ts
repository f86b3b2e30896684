import { describe, expect, it } from "vitest";
import { nextCalendar } from "../src/activities.ts";
import { deterministicEventId } from "../src/event-ids.ts";
import { checkInDueTimes } from "../src/schedule.ts";

const iso = (dates: Date[]) => dates.map((date) => date.toISOString());

describe("check-in schedule", () => {
  it.each([
    {
      name: "falls on the cadence's weekday and local hour, keeping the hour across daylight saving",
      calendar: { timeZone: "Europe/Berlin", checkInCadence: { weekday: 1, hour: 10, everyDays: 7 } },
      // From Wednesday 17 March 2027; Berlin moves to summer time on Sunday 28 March.
      window: ["2027-03-17T12:00:00Z", "2027-04-06T00:00:00Z"],
      due: ["2027-03-22T09:00:00.000Z", "2027-03-29T08:00:00.000Z", "2027-04-05T08:00:00.000Z"],
    },
    {
      name: "starts the same day when the hour is still ahead, and honours everyDays",
      calendar: { timeZone: "America/New_York", checkInCadence: { weekday: 5, hour: 9, everyDays: 14 } },
      // From Friday 8 January 2027, 08:00 in New York (13:00Z).
      window: ["2027-01-08T13:00:00Z", "2027-02-20T00:00:00Z"],
      due: [
        "2027-01-08T14:00:00.000Z",
        "2027-01-22T14:00:00.000Z",
        "2027-02-05T14:00:00.000Z",
        "2027-02-19T14:00:00.000Z",
      ],
    },
  ])("$name", ({ calendar, window: [from, to], due }) => {
    expect(iso(checkInDueTimes(calendar, new Date(from as string), new Date(to as string)))).toEqual(due);
  });

  it("puts an hour the clocks skip just after the gap, and an hour they pass twice at its first pass", () => {
    // Sunday 14 March 2027: New York skips from 02:00 EST to 03:00 EDT.
    const springForward = {
      timeZone: "America/New_York",
      checkInCadence: { weekday: 0, hour: 2, everyDays: 7 },
    };
    const march = checkInDueTimes(
      springForward,
      new Date("2027-03-13T12:00:00Z"),
      new Date("2027-03-15T00:00:00Z"),
    );
    expect(iso(march)).toEqual(["2027-03-14T07:00:00.000Z"]);
    // Sunday 25 October 2026: Berlin passes 02:00 to 03:00 twice, first in CEST (UTC+2).
    const fallBack = { timeZone: "Europe/Berlin", checkInCadence: { weekday: 0, hour: 2, everyDays: 7 } };
    const october = checkInDueTimes(
      fallBack,
      new Date("2026-10-24T12:00:00Z"),
      new Date("2026-10-26T00:00:00Z"),
    );
    expect(iso(october)).toEqual(["2026-10-25T00:00:00.000Z"]);
  });

  it("moves to next week when the hour has passed, and gives nothing for an empty window", () => {
    const calendar = { timeZone: "UTC", checkInCadence: { weekday: 1, hour: 9, everyDays: 7 } };
    const monday = new Date("2027-01-04T10:00:00Z");
    expect(iso(checkInDueTimes(calendar, monday, new Date("2027-01-12T00:00:00Z")))).toEqual([
      "2027-01-11T09:00:00.000Z",
    ]);
    expect(checkInDueTimes(calendar, monday, monday)).toEqual([]);
  });
});

describe("deterministic event ids", () => {
  it("gives a retried reminder the same UUID and different reminders different ones", () => {
    const id = deterministicEventId("okr-cycle/org/cycle", "check-in/2027-01-11T09:00:00.000Z/person/p1");
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(deterministicEventId("okr-cycle/org/cycle", "check-in/2027-01-11T09:00:00.000Z/person/p1")).toBe(
      id,
    );
    expect(
      deterministicEventId("okr-cycle/org/cycle", "check-in/2027-01-11T09:00:00.000Z/person/p2"),
    ).not.toBe(id);
    expect(
      deterministicEventId("okr-cycle/org/other", "check-in/2027-01-11T09:00:00.000Z/person/p1"),
    ).not.toBe(id);
  });
});

describe("next cycle calendar", () => {
  it("starts when the cycle ends, lasts as long, and names the next quarter", () => {
    const cycle = {
      id: "c",
      name: "Q4 2026",
      startsAt: "2026-10-01T00:00:00.000Z",
      endsAt: "2027-01-01T00:00:00.000Z",
      timeZone: "Europe/Berlin",
      checkInCadence: { weekday: 1, hour: 10, everyDays: 7 },
    };
    expect(nextCalendar(cycle)).toEqual({
      name: "Q1 2027",
      startsAt: "2027-01-01T00:00:00.000Z",
      endsAt: "2027-04-03T00:00:00.000Z",
      timeZone: "Europe/Berlin",
      checkInCadence: { weekday: 1, hour: 10, everyDays: 7 },
    });
    expect(nextCalendar({ ...cycle, name: "Growth push" }).name).toBe("Growth push (next)");
    expect(nextCalendar({ ...cycle, name: "Acme Q2 2027 OKRs" }).name).toBe("Acme Q3 2027 OKRs");
  });
});
