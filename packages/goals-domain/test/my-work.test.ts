import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CYCLE_PHASES, OBJECTIVE_STATES, type WorkSnapshot, workFor } from "../src/index.ts";

const now = new Date("2026-11-20T12:00:00Z");
const daysAgo = (days: number) => new Date(now.getTime() - days * 86_400_000).toISOString();

/** Pat leads Platform (under Company) and belongs to Sales; Company's other child is Data. */
const base = (): WorkSnapshot => ({
  personId: "pat",
  memberships: [
    { teamId: "platform", role: "leader" },
    { teamId: "sales", role: "member" },
  ],
  teams: [
    { id: "platform", name: "Platform", parentTeamId: "company" },
    { id: "infra", name: "Infra", parentTeamId: "platform" },
  ],
  cycles: [],
  keyResults: [],
  objectives: [],
  retrospectives: [],
  midCycleReviews: [],
  reminders: [],
});

describe("my work", () => {
  it("asks for the check-ins the cadence is owed on KRs I or my teams own, soonest first", () => {
    const snapshot: WorkSnapshot = {
      ...base(),
      cycles: [{ id: "q4", phase: "CHECK_INS", checkInEveryDays: 7, startsAt: daysAgo(30) }],
      keyResults: [
        {
          id: "fresh",
          objectiveId: "o",
          cycleId: "q4",
          title: "Fresh",
          owner: { kind: "person", id: "pat" },
          lastCheckInAt: daysAgo(2),
        },
        {
          id: "stale",
          objectiveId: "o",
          cycleId: "q4",
          title: "Stale",
          owner: { kind: "team", id: "sales" },
          lastCheckInAt: daysAgo(9),
        },
        {
          id: "never",
          objectiveId: "o",
          cycleId: "q4",
          title: "Never",
          owner: { kind: "person", id: "pat" },
          lastCheckInAt: null,
        },
        {
          id: "theirs",
          objectiveId: "o",
          cycleId: "q4",
          title: "Theirs",
          owner: { kind: "person", id: "sam" },
          lastCheckInAt: null,
        },
        {
          id: "other-team",
          objectiveId: "o",
          cycleId: "q4",
          title: "Other",
          owner: { kind: "team", id: "data" },
          lastCheckInAt: null,
        },
      ],
    };
    expect(workFor(snapshot, now)).toEqual([
      expect.objectContaining({ action: "check-in", keyResultId: "never", dueAt: daysAgo(30) }),
      expect.objectContaining({
        action: "check-in",
        keyResultId: "stale",
        dueAt: daysAgo(2),
        lastCheckInAt: daysAgo(9),
      }),
    ]);
  });

  it("asks a leader to write and submit their team's objectives, and to approve their child teams' submissions", () => {
    const snapshot: WorkSnapshot = {
      ...base(),
      cycles: [{ id: "q1", phase: "SETTING", checkInEveryDays: 7, startsAt: daysAgo(-10) }],
      objectives: [
        { id: "a", cycleId: "q1", teamId: "platform", state: "submitted" },
        { id: "b", cycleId: "q1", teamId: "platform", state: "returned" },
        { id: "c", cycleId: "q1", teamId: "infra", state: "submitted" },
        { id: "d", cycleId: "q1", teamId: "infra", state: "draft" },
      ],
    };
    expect(workFor(snapshot, now)).toEqual([
      {
        action: "draft-objectives",
        cycleId: "q1",
        teamId: "platform",
        teamName: "Platform",
        open: 1,
        written: 2,
        dueAt: null,
      },
      {
        action: "approve-objectives",
        cycleId: "q1",
        teamId: "infra",
        teamName: "Infra",
        objectiveIds: ["c"],
        dueAt: null,
      },
    ]);
    // A team that submitted everything has nothing left to draft; one with nothing written has.
    const done = {
      ...snapshot,
      objectives: [{ id: "a", cycleId: "q1", teamId: "platform", state: "approved" as const }],
    };
    expect(workFor(done, now)).toEqual([]);
    expect(workFor({ ...snapshot, objectives: [] }, now)).toEqual([
      expect.objectContaining({ action: "draft-objectives", open: 0, written: 0 }),
    ]);
  });

  it("asks a leader for each of their teams' missing retrospectives", () => {
    const snapshot: WorkSnapshot = {
      ...base(),
      cycles: [{ id: "q4", phase: "RETROSPECTIVE", checkInEveryDays: 7, startsAt: daysAgo(90) }],
    };
    expect(workFor(snapshot, now)).toEqual([
      { action: "retrospective", cycleId: "q4", teamId: "platform", teamName: "Platform", dueAt: null },
    ]);
    expect(workFor({ ...snapshot, retrospectives: [{ cycleId: "q4", teamId: "platform" }] }, now)).toEqual(
      [],
    );
  });

  it("never asks anything of a person who leads nothing and owns nothing, whatever the cycles", () => {
    const phase = fc.constantFrom(...CYCLE_PHASES);
    const state = fc.constantFrom(...OBJECTIVE_STATES);
    fc.assert(
      fc.property(
        fc.array(phase, { maxLength: 4 }),
        fc.array(fc.tuple(fc.constantFrom("platform", "infra", "data"), state), { maxLength: 8 }),
        fc.array(fc.option(fc.integer({ min: 0, max: 60 })), { maxLength: 6 }),
        (phases, objectives, checkIns) => {
          const cycles = phases.map((p, n) => ({
            id: `c${n}`,
            phase: p,
            checkInEveryDays: 7,
            startsAt: daysAgo(40),
          }));
          const snapshot: WorkSnapshot = {
            ...base(),
            memberships: [],
            cycles,
            objectives: objectives.map(([teamId, s], n) => ({
              id: `o${n}`,
              cycleId: "c0",
              teamId,
              state: s,
            })),
            keyResults: checkIns.map((days, n) => ({
              id: `k${n}`,
              objectiveId: "o",
              cycleId: "c0",
              title: "KR",
              owner: { kind: "person", id: "sam" },
              lastCheckInAt: days === null ? null : daysAgo(days),
            })),
          };
          expect(workFor(snapshot, now)).toEqual([]);
        },
      ),
    );
  });

  it("lists only check-ins that are due, each on a KR of mine, in due order", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom("pat", "sam"), fc.option(fc.integer({ min: 0, max: 60 }))), {
          maxLength: 10,
        }),
        fc.integer({ min: 1, max: 30 }),
        (krs, everyDays) => {
          const snapshot: WorkSnapshot = {
            ...base(),
            cycles: [{ id: "q", phase: "CHECK_INS", checkInEveryDays: everyDays, startsAt: daysAgo(61) }],
            keyResults: krs.map(([owner, days], n) => ({
              id: `k${n}`,
              objectiveId: "o",
              cycleId: "q",
              title: "KR",
              owner: { kind: "person", id: owner },
              lastCheckInAt: days === null ? null : daysAgo(days),
            })),
          };
          const items = workFor(snapshot, now);
          const dues = items.map((item) =>
            item.action === "check-in" ? Date.parse(item.dueAt) : Number.NaN,
          );
          expect(dues.every((due) => due <= now.getTime())).toBe(true);
          expect(dues).toEqual([...dues].sort((x, y) => x - y));
          const expected = krs.filter(
            ([owner, days]) => owner === "pat" && (days === null || days >= everyDays),
          );
          expect(items).toHaveLength(expected.length);
        },
      ),
    );
  });
});
