import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type CyclePhase,
  OBJECTIVE_STATES,
  REMINDER_ACTIONS,
  type WorkItem,
  type WorkSnapshot,
  workFor,
} from "../src/index.ts";

const now = new Date("2026-11-20T12:00:00Z");
const at = (hours: number) => new Date(now.getTime() + hours * 3_600_000).toISOString();

type Reminder = WorkSnapshot["reminders"][number];
const remind = (fields: Partial<Reminder> & Pick<Reminder, "teamId" | "action">): Reminder => ({
  cycleId: "q1",
  dueAt: at(24),
  escalation: false,
  sentAt: at(-1),
  ...fields,
});

/** Pat leads Platform (under Company); Infra is Platform's child. */
const snapshot = (phase: CyclePhase, fields: Partial<WorkSnapshot> = {}): WorkSnapshot => ({
  personId: "pat",
  memberships: [{ teamId: "platform", role: "leader" }],
  teams: [
    { id: "platform", name: "Platform", parentTeamId: "company" },
    { id: "infra", name: "Infra", parentTeamId: "platform" },
  ],
  cycles: [{ id: "q1", phase, checkInEveryDays: 7, startsAt: at(-100) }],
  keyResults: [],
  objectives: [{ id: "c", cycleId: "q1", teamId: "infra", state: "submitted" }],
  retrospectives: [],
  midCycleReviews: [],
  reminders: [],
  ...fields,
});

const TEAM_ACTIONS = ["draft-objectives", "approve-objectives", "retrospective"] as const;
const isTeamItem = (item: WorkItem): item is Extract<WorkItem, { action: (typeof TEAM_ACTIONS)[number] }> =>
  (TEAM_ACTIONS as readonly string[]).includes(item.action);
const dueMs = (item: WorkItem) => (item.dueAt !== null ? Date.parse(item.dueAt) : Number.POSITIVE_INFINITY);

describe("my work: deadlines from the cycle's reminders", () => {
  it("gives drafting and approving the newest reminder's deadline and lists the soonest first", () => {
    const work = workFor(
      snapshot("CASCADE", {
        reminders: [
          remind({ teamId: "platform", action: "draft-objectives", dueAt: at(48), sentAt: at(-5) }),
          // Extended: the newer reminder's deadline counts, even though it is later.
          remind({ teamId: "platform", action: "draft-objectives", dueAt: at(72), sentAt: at(-2) }),
          // Escalations repeat a missed deadline; they do not move the one a reminder set.
          remind({
            teamId: "platform",
            action: "draft-objectives",
            dueAt: at(1),
            sentAt: at(-1),
            escalation: true,
          }),
          remind({ teamId: "infra", action: "approve-objectives", dueAt: at(-3) }),
          // About another action, team or cycle: not this item's deadline.
          remind({ teamId: "infra", action: "draft-objectives", dueAt: at(-50) }),
          remind({ teamId: "data", action: "approve-objectives", dueAt: at(-60) }),
          remind({ teamId: "infra", action: "approve-objectives", dueAt: at(-70), cycleId: "q0" }),
        ],
      }),
      now,
    );
    expect(work.map((item) => [item.action, "teamId" in item && item.teamId, item.dueAt])).toEqual([
      ["approve-objectives", "infra", at(-3)],
      ["draft-objectives", "platform", at(72)],
    ]);
  });

  it("takes the newest escalation's deadline when every reminder about an item was an escalation", () => {
    const work = workFor(
      snapshot("CASCADE", {
        objectives: [
          { id: "a", cycleId: "q1", teamId: "platform", state: "approved" },
          { id: "c", cycleId: "q1", teamId: "infra", state: "submitted" },
        ],
        reminders: [
          remind({
            teamId: "infra",
            action: "approve-objectives",
            dueAt: at(-2),
            sentAt: at(-2),
            escalation: true,
          }),
        ],
      }),
      now,
    );
    expect(work).toEqual([expect.objectContaining({ action: "approve-objectives", dueAt: at(-2) })]);
  });

  it("gives the retrospective the deadline of its reminders", () => {
    const work = workFor(
      snapshot("RETROSPECTIVE", { reminders: [remind({ teamId: "platform", action: "retrospective" })] }),
      now,
    );
    expect(work).toEqual([
      { action: "retrospective", cycleId: "q1", teamId: "platform", teamName: "Platform", dueAt: at(24) },
    ]);
  });

  const reminderArb = fc.record({
    cycleId: fc.constantFrom("q1", "q0"),
    teamId: fc.constantFrom("platform", "infra", "data"),
    action: fc.constantFrom(...REMINDER_ACTIONS),
    dueAt: fc.integer({ min: -200, max: 200 }).map(at),
    escalation: fc.boolean(),
    sentAt: fc.integer({ min: -300, max: 0 }).map(at),
  });
  const snapshotArb = fc
    .tuple(
      fc.constantFrom<CyclePhase>("SETTING", "CASCADE", "RETROSPECTIVE"),
      fc.array(fc.tuple(fc.constantFrom("platform", "infra"), fc.constantFrom(...OBJECTIVE_STATES)), {
        maxLength: 6,
      }),
      fc.array(reminderArb, { maxLength: 12 }),
    )
    .map(([phase, objectives, reminders]) =>
      snapshot(phase, {
        objectives: objectives.map(([teamId, state], n) => ({ id: `o${n}`, cycleId: "q1", teamId, state })),
        reminders,
      }),
    );
  const about = (reminders: readonly Reminder[], item: WorkItem) =>
    reminders.filter(
      (r) =>
        r.cycleId === item.cycleId &&
        "teamId" in item &&
        r.teamId === item.teamId &&
        r.action === item.action,
    );

  it("dates each team item by a reminder about its team and action, or leaves it undated when none came", () => {
    fc.assert(
      fc.property(snapshotArb, (s) => {
        for (const item of workFor(s, now).filter(isTeamItem)) {
          const ours = about(s.reminders, item);
          if (ours.length === 0) expect(item.dueAt).toBeNull();
          else {
            const plain = ours.filter((r) => !r.escalation);
            expect((plain.length > 0 ? plain : ours).map((r) => r.dueAt)).toContain(item.dueAt);
            // The newest such reminder: none sent later.
            const chosen = (plain.length > 0 ? plain : ours).filter((r) => r.dueAt === item.dueAt);
            const latest = Math.max(...chosen.map((r) => Date.parse(r.sentAt)));
            expect((plain.length > 0 ? plain : ours).every((r) => Date.parse(r.sentAt) <= latest)).toBe(true);
          }
        }
      }),
    );
  });

  it("lists the soonest deadline first and the undated last", () => {
    fc.assert(
      fc.property(snapshotArb, (s) => {
        const dues = workFor(s, now).map(dueMs);
        expect(dues).toEqual([...dues].sort((x, y) => x - y));
      }),
    );
  });

  it("changes nothing for a reminder about another team, action or cycle, nor for an escalation over a reminder", () => {
    fc.assert(
      fc.property(snapshotArb, reminderArb, (s, extra) => {
        const before = workFor(s, now);
        const unrelated = before.every((item) => about([extra], item).length === 0);
        const escalationOverReminder =
          extra.escalation &&
          s.reminders.some(
            (r) =>
              !r.escalation &&
              r.cycleId === extra.cycleId &&
              r.teamId === extra.teamId &&
              r.action === extra.action,
          );
        fc.pre(unrelated || escalationOverReminder);
        expect(workFor({ ...s, reminders: [...s.reminders, extra] }, now)).toEqual(before);
      }),
    );
  });

  it("asks a reminded leader for the mid-cycle review during CHECK_INS until one is recorded as held", () => {
    const asked = snapshot("CHECK_INS", {
      memberships: [
        { teamId: "platform", role: "leader" },
        { teamId: "infra", role: "member" },
      ],
      reminders: [
        remind({ teamId: "platform", action: "mid-cycle-review", dueAt: at(300) }),
        // The same reminder sent again (another round): still one item.
        remind({ teamId: "platform", action: "mid-cycle-review", dueAt: at(300), sentAt: at(-0.5) }),
        // Pat is no leader of Infra: its review is not Pat's to hold.
        remind({ teamId: "infra", action: "mid-cycle-review" }),
      ],
    });
    expect(workFor(asked, now)).toEqual([
      { action: "mid-cycle-review", cycleId: "q1", teamId: "platform", teamName: "Platform", dueAt: at(300) },
    ]);
    expect(workFor({ ...asked, midCycleReviews: [{ cycleId: "q1", teamId: "platform" }] }, now)).toEqual([]);
    // A review held in another cycle is not this one's.
    expect(workFor({ ...asked, midCycleReviews: [{ cycleId: "q0", teamId: "platform" }] }, now)).toHaveLength(
      1,
    );
    expect(workFor({ ...asked, cycles: [{ ...asked.cycles[0]!, phase: "SCORING" }] }, now)).toEqual([]);
  });

  it("lists a mid-cycle review exactly for the led teams reminded of one and not yet held, in CHECK_INS", () => {
    fc.assert(
      fc.property(
        fc.constantFrom<CyclePhase>("SETTING", "CHECK_INS", "SCORING"),
        fc.array(reminderArb, { maxLength: 12 }),
        fc.subarray(["platform", "infra", "data"]),
        (phase, reminders, held) => {
          const s = snapshot(phase, {
            objectives: [],
            reminders,
            midCycleReviews: held.map((teamId) => ({ cycleId: "q1", teamId })),
          });
          const reviews = workFor(s, now).filter((item) => item.action === "mid-cycle-review");
          const expected =
            phase === "CHECK_INS" &&
            reminders.some(
              (r) =>
                r.cycleId === "q1" &&
                r.teamId === "platform" &&
                r.action === "mid-cycle-review" &&
                !held.includes("platform"),
            );
          expect(reviews.map((item) => item.teamId)).toEqual(expected ? ["platform"] : []);
        },
      ),
    );
  });
});
