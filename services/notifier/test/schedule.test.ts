import { instantAt, isKnownTimeZone, localTime, parseClock } from "@okr/goals-domain";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type EffectivePreferences, gateEmail } from "../src/rules/gate.ts";
import { digestPeriod, isQuiet, type QuietHours, quietUntil } from "../src/rules/schedule.ts";

/** Zones on both sides of UTC, with and without daylight saving, and with half- and quarter-hour offsets. */
const ZONES = [
  "UTC",
  "Europe/Berlin",
  "America/New_York",
  "America/Los_Angeles",
  "America/Sao_Paulo",
  "Asia/Tokyo",
  "Asia/Kolkata",
  "Asia/Kathmandu",
  "Australia/Sydney",
  "Pacific/Auckland",
  "Pacific/Honolulu",
];

const zone = fc.constantFrom(...ZONES);
/** Instants across 2026 and 2027, both daylight-saving changes of every zone included. */
const instant = fc
  .integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2027, 11, 31) })
  .map((ms) => new Date(ms - (ms % 60_000)));
const minuteOfDay = fc.integer({ min: 0, max: 24 * 60 - 1 });
const quietHours: fc.Arbitrary<QuietHours> = fc
  .record({ start: minuteOfDay, end: minuteOfDay, weekends: fc.boolean() })
  .filter((q) => q.start !== q.end);

const at = (iso: string) => new Date(iso);
const NIGHT: QuietHours = { start: 20 * 60, end: 8 * 60, weekends: false };

describe("quiet hours", () => {
  it("defer to the end of the quiet period: quiet all the way there, not quiet from then on", () => {
    fc.assert(
      fc.property(instant, zone, quietHours, fc.double({ min: 0, max: 1, noNaN: true }), (now, z, q, f) => {
        const until = quietUntil(now, z, q);
        if (!isQuiet(now, z, q)) {
          expect(until).toBeNull();
          return;
        }
        expect(until).not.toBeNull();
        const end = until as Date;
        expect(end.getTime()).toBeGreaterThan(now.getTime());
        expect(isQuiet(end, z, q)).toBe(false);
        // Any minute before the end is still quiet: nothing is sent early, and no quiet stretch is skipped.
        const between = new Date(
          now.getTime() + Math.floor((f * (end.getTime() - now.getTime())) / 60_000) * 60_000,
        );
        if (between.getTime() < end.getTime()) expect(isQuiet(between, z, q)).toBe(true);
        expect(isQuiet(new Date(end.getTime() - 60_000), z, q)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it("end at the local end time (or Monday's midnight after a quiet weekend)", () => {
    fc.assert(
      fc.property(instant, zone, quietHours, (now, z, q) => {
        const until = quietUntil(now, z, q);
        if (!until) return;
        const local = localTime(until, z);
        const minute = local.hour * 60 + local.minute;
        expect([q.end, 0]).toContain(minute);
      }),
      { numRuns: 2000 },
    );
  });

  it("follow Berlin's daylight-saving changes (2026-03-29 and 2026-10-25)", () => {
    // 22:00 CET the night before spring forward: the night ends at 08:00 CEST, 06:00 UTC.
    expect(quietUntil(at("2026-03-28T21:00:00Z"), "Europe/Berlin", NIGHT)).toEqual(
      at("2026-03-29T06:00:00Z"),
    );
    // The night of fall back is an hour longer: 08:00 CET is 07:00 UTC.
    expect(quietUntil(at("2026-10-24T20:00:00Z"), "Europe/Berlin", NIGHT)).toEqual(
      at("2026-10-25T07:00:00Z"),
    );
    // In the hour the clocks pass twice (02:30 CEST and 02:30 CET) it is night either way.
    expect(quietUntil(at("2026-10-25T00:30:00Z"), "Europe/Berlin", NIGHT)).toEqual(
      at("2026-10-25T07:00:00Z"),
    );
    expect(quietUntil(at("2026-10-25T01:30:00Z"), "Europe/Berlin", NIGHT)).toEqual(
      at("2026-10-25T07:00:00Z"),
    );
  });

  it("follow New York's daylight-saving changes (2026-03-08 and 2026-11-01)", () => {
    expect(quietUntil(at("2026-03-08T03:00:00Z"), "America/New_York", NIGHT)).toEqual(
      at("2026-03-08T12:00:00Z"),
    );
    expect(quietUntil(at("2026-11-01T03:00:00Z"), "America/New_York", NIGHT)).toEqual(
      at("2026-11-01T13:00:00Z"),
    );
  });

  it("end within the skipped hour of spring forward as the first wall time after it", () => {
    // Quiet until 02:30, which Berlin skips on 2026-03-29: it ends at 03:30 CEST, 01:30 UTC.
    const quiet = { start: 0, end: 150, weekends: false };
    expect(quietUntil(at("2026-03-28T23:30:00Z"), "Europe/Berlin", quiet)).toEqual(
      at("2026-03-29T01:30:00Z"),
    );
  });

  it("run over a quiet weekend to Monday morning, in zones on both sides of UTC", () => {
    const weekend = { ...NIGHT, weekends: true };
    // Friday 2026-12-04 21:00 in Tokyo (12:00 UTC) -> Monday 08:00 JST = Sunday 23:00 UTC.
    expect(quietUntil(at("2026-12-04T12:00:00Z"), "Asia/Tokyo", weekend)).toEqual(at("2026-12-06T23:00:00Z"));
    // Saturday noon in Los Angeles -> Monday 08:00 PST = 16:00 UTC.
    expect(quietUntil(at("2026-12-05T20:00:00Z"), "America/Los_Angeles", weekend)).toEqual(
      at("2026-12-07T16:00:00Z"),
    );
    // A daytime window on a weekend with weekends quiet: Monday's midnight ends it.
    const day = { start: 9 * 60, end: 17 * 60, weekends: true };
    expect(quietUntil(at("2026-12-05T12:00:00Z"), "UTC", day)).toEqual(at("2026-12-07T00:00:00Z"));
  });

  it("are none outside the window", () => {
    expect(quietUntil(at("2026-12-04T10:00:00Z"), "Europe/Berlin", NIGHT)).toBeNull();
    expect(quietUntil(at("2026-12-04T10:00:00Z"), "Europe/Berlin", null)).toBeNull();
  });
});

describe("digest periods", () => {
  const time = fc.record({ at: minuteOfDay, weekday: fc.integer({ min: 1, max: 7 }) });
  const mode = fc.constantFrom("daily" as const, "weekly" as const);

  it("have begun by now, at the local digest time, and last a day or a week (give or take a DST hour)", () => {
    fc.assert(
      fc.property(instant, zone, mode, time, (now, z, m, t) => {
        const period = digestPeriod(now, z, m, t);
        expect(period.at.getTime()).toBeLessThanOrEqual(now.getTime());
        const hours = (period.at.getTime() - period.since.getTime()) / 3_600_000;
        const nominal = m === "weekly" ? 168 : 24;
        expect(Math.abs(hours - nominal)).toBeLessThanOrEqual(1);
        // The next period has not begun: now is before its digest time.
        const next = digestPeriod(new Date(period.at.getTime() + nominal * 3_600_000 + 3_600_000), z, m, t);
        expect(next.since.getTime()).toBe(period.at.getTime());
        expect(next.at.getTime()).toBeGreaterThan(now.getTime());
        if (m === "weekly") expect(localTime(period.at, z).weekday).toBe(t.weekday);
      }),
      { numRuns: 1000 },
    );
  });

  it("keep their key within the period, so a digest is built once per period", () => {
    fc.assert(
      fc.property(
        instant,
        zone,
        mode,
        time,
        fc.double({ min: 0, max: 1, noNaN: true }),
        (now, z, m, t, f) => {
          const period = digestPeriod(now, z, m, t);
          const later = new Date(period.at.getTime() + f * (now.getTime() - period.at.getTime()));
          expect(digestPeriod(later, z, m, t).key).toBe(period.key);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("fall at 08:00 local across Berlin's spring-forward day and New York's fall-back day", () => {
    const daily = { at: 8 * 60, weekday: 1 };
    const berlin = digestPeriod(at("2026-03-29T12:00:00Z"), "Europe/Berlin", "daily", daily);
    expect(berlin).toEqual({
      key: "daily:2026-03-29",
      since: at("2026-03-28T07:00:00Z"),
      at: at("2026-03-29T06:00:00Z"),
    });
    const newYork = digestPeriod(at("2026-11-01T12:59:00Z"), "America/New_York", "daily", daily);
    expect(newYork.key).toBe("daily:2026-10-31");
    expect(newYork.at).toEqual(at("2026-10-31T12:00:00Z"));
    // Weekly on Monday in Auckland (UTC+13 in December): Monday 08:00 NZDT is Sunday 19:00 UTC.
    const weekly = digestPeriod(at("2026-12-09T00:00:00Z"), "Pacific/Auckland", "weekly", daily);
    expect(weekly.key).toBe("weekly:2026-12-07");
    expect(weekly.at).toEqual(at("2026-12-06T19:00:00Z"));
  });
});

describe("zoned time", () => {
  it("maps a wall time back to the instant that shows it (outside the skipped hour)", () => {
    fc.assert(
      fc.property(instant, zone, (now, z) => {
        const local = localTime(now, z);
        const back = instantAt(local, local.hour * 60 + local.minute, z);
        const again = localTime(back, z);
        expect([again.hour, again.minute, again.day]).toEqual([local.hour, local.minute, local.day]);
        expect(back.getTime()).toBeLessThanOrEqual(now.getTime());
      }),
      { numRuns: 1000 },
    );
  });

  it("knows IANA zones and HH:MM clocks", () => {
    expect(isKnownTimeZone("Europe/Berlin")).toBe(true);
    expect(isKnownTimeZone("Mars/Olympus")).toBe(false);
    expect(isKnownTimeZone("")).toBe(false);
    expect(parseClock("20:00")).toBe(1200);
    expect(parseClock("24:00")).toBeUndefined();
    expect(parseClock("8:00")).toBeUndefined();
  });
});

describe("the send gate", () => {
  const base: EffectivePreferences = {
    email: true,
    timeZone: "Europe/Berlin",
    quietHours: NIGHT,
    outOfOffice: null,
    digest: "immediate",
  };
  const email = { isDigest: false, dueAt: null, deferredReason: null };
  const night = at("2026-12-04T22:00:00Z");
  const noon = at("2026-12-04T11:00:00Z");

  it("sends by day, defers by night to the morning, and skips when email is off", () => {
    expect(gateEmail(email, base, noon)).toEqual({ action: "send" });
    expect(gateEmail(email, base, night)).toEqual({
      action: "defer",
      until: at("2026-12-05T07:00:00Z"),
      reason: "quiet-hours",
    });
    expect(gateEmail(email, { ...base, email: false }, noon)).toEqual({
      action: "skip",
      reason: "email-off",
    });
  });

  it("holds while out of office, then drops a reminder whose deadline passed meanwhile", () => {
    const away = { from: at("2026-12-01T00:00:00Z"), until: at("2026-12-08T00:00:00Z") };
    expect(gateEmail(email, { ...base, outOfOffice: away }, noon)).toEqual({
      action: "defer",
      until: away.until,
      reason: "out-of-office",
    });
    const reminder = {
      isDigest: false,
      dueAt: at("2026-12-07T09:00:00Z"),
      deferredReason: "out-of-office" as const,
    };
    expect(gateEmail(reminder, base, at("2026-12-08T09:00:00Z"))).toEqual({
      action: "skip",
      reason: "expired",
    });
    expect(
      gateEmail({ ...reminder, dueAt: at("2026-12-09T09:00:00Z") }, base, at("2026-12-08T09:00:00Z")),
    ).toEqual({
      action: "send",
    });
  });

  it("holds for the digest in digest mode, but sends the digest itself (after quiet hours)", () => {
    const digestMode = { ...base, digest: "daily" as const };
    expect(gateEmail(email, digestMode, noon)).toEqual({ action: "hold" });
    expect(gateEmail({ ...email, isDigest: true }, digestMode, noon)).toEqual({ action: "send" });
    expect(gateEmail({ ...email, isDigest: true }, digestMode, night).action).toBe("defer");
  });
});
