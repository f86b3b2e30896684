import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type AlignmentNode,
  buildAlignmentTree,
  CYCLE_PHASES,
  canApprove,
  canCheckIn,
  changePhase,
  checkAlignment,
  checkKeyResultCountOnAdd,
  checkKeyResultCountOnSubmit,
  checkObjectiveCountOnCreate,
  checkObjectiveCountOnSubmit,
  checkParent,
  DEFAULT_POLICY,
  type KeyResultDefinition,
  keyResultNumberViolations,
  type OkrPolicy,
  systemCheckInNote,
  topDown,
  transition,
  validateCheckIn,
  validateCycle,
  validateKeyResult,
  validatePolicy,
  validateRetrospective,
} from "../src/index.ts";
import { kr } from "./support.ts";

describe("key result measurability", () => {
  it("accepts each type when it carries what makes it measurable", () => {
    expect(validateKeyResult(kr({}))).toEqual([]);
    expect(validateKeyResult(kr({ type: "increase-to", baseline: 1, target: 9 }))).toEqual([]);
    expect(validateKeyResult(kr({ type: "stay-above", baseline: null, target: 99.5 }))).toEqual([]);
    expect(validateKeyResult(kr({ type: "stay-below", baseline: null, target: 3 }))).toEqual([]);
    expect(validateKeyResult(kr({ type: "stay-between", target: null, bandLow: 1, bandHigh: 2 }))).toEqual(
      [],
    );
    expect(
      validateKeyResult(
        kr({ type: "milestone", baseline: null, target: null, milestones: ["pilot", "rollout"] }),
      ),
    ).toEqual([]);
  });

  it("rejects a KR without a number, band or milestones, with a hint to rewrite it", () => {
    const cases = [
      kr({ type: "increase-to", target: null }),
      kr({ type: "decrease-to", baseline: null }),
      kr({ type: "stay-above", target: null }),
      kr({ type: "stay-between", bandLow: 1, bandHigh: null }),
      kr({ type: "milestone", milestones: [] }),
      kr({ type: "milestone", milestones: ["  "] }),
    ];
    for (const definition of cases) {
      const [error] = validateKeyResult(definition);
      expect(error?.code).toBe("key-result-not-measurable");
      expect(error?.hint).toMatch(/rewrite the key result/);
    }
  });

  it("rejects targets on the wrong side of the baseline, inverted bands and duplicate milestones", () => {
    expect(validateKeyResult(kr({ type: "increase-to", baseline: 5, target: 5 }))[0]?.code).toBe(
      "key-result-direction",
    );
    expect(validateKeyResult(kr({ type: "decrease-to", baseline: 5, target: 9 }))[0]?.code).toBe(
      "key-result-direction",
    );
    expect(validateKeyResult(kr({ type: "stay-between", bandLow: 3, bandHigh: 2 }))[0]?.code).toBe(
      "key-result-band",
    );
    expect(validateKeyResult(kr({ type: "milestone", milestones: ["a", "a"] }))[0]?.code).toBe(
      "key-result-milestones-duplicate",
    );
    expect(validateKeyResult(kr({ weight: 0 }))[0]?.code).toBe("key-result-weight");
  });

  it("keeps every number within ±1e15, so spans and progress stay finite for scoring", () => {
    const codes = (overrides: Partial<KeyResultDefinition>) =>
      validateKeyResult(kr(overrides)).map((e) => [e.code, e.path]);
    expect(codes({ type: "increase-to", baseline: -1e308, target: 1e308 })).toEqual([
      ["key-result-number-range", "/baseline"],
      ["key-result-number-range", "/target"],
    ]);
    expect(codes({ type: "increase-to", baseline: 0, target: 1e15 + 2 })).toEqual([
      ["key-result-number-range", "/target"],
    ]);
    expect(codes({ type: "stay-between", bandLow: -Infinity, bandHigh: 1 })).toEqual([
      ["key-result-number-range", "/bandLow"],
    ]);
    expect(codes({ type: "increase-to", baseline: -1e15, target: 1e15 })).toEqual([]);
    expect(keyResultNumberViolations({ baseline: null, target: 5, bandLow: null, bandHigh: 1e16 })).toEqual([
      expect.objectContaining({ path: "/bandHigh", message: expect.stringMatching(/-1e15 and 1e15/) }),
    ]);
  });
});

describe("limits per organization policy", () => {
  const warnOnly: OkrPolicy = {
    ...DEFAULT_POLICY,
    objectivesPerOwner: { min: 3, max: 5, enforcement: "warn" },
    keyResultsPerObjective: { min: 2, max: 4, enforcement: "warn" },
  };

  it("rejects the sixth objective of an owner under the default policy, warns under a warning policy", () => {
    expect(checkObjectiveCountOnCreate(DEFAULT_POLICY, 4)).toEqual({ errors: [], warnings: [] });
    expect(checkObjectiveCountOnCreate(DEFAULT_POLICY, 5).errors[0]?.code).toBe("too-many-objectives");
    const warned = checkObjectiveCountOnCreate(warnOnly, 5);
    expect(warned.errors).toEqual([]);
    expect(warned.warnings[0]?.message).toMatch(/at most 5 objectives/);
  });

  it("checks the minimum when an objective is submitted", () => {
    expect(checkObjectiveCountOnSubmit(DEFAULT_POLICY, 2).errors[0]?.code).toBe("too-few-objectives");
    expect(checkObjectiveCountOnSubmit(DEFAULT_POLICY, 3).errors).toEqual([]);
    expect(checkKeyResultCountOnSubmit(DEFAULT_POLICY, 1).errors[0]?.code).toBe("too-few-key-results");
    expect(checkKeyResultCountOnSubmit(warnOnly, 1).warnings[0]?.code).toBe("too-few-key-results");
    expect(checkKeyResultCountOnAdd(DEFAULT_POLICY, 5).errors[0]?.code).toBe("too-many-key-results");
    expect(checkKeyResultCountOnAdd(warnOnly, 4).warnings[0]?.code).toBe("too-many-key-results");
  });

  it("validates the policy itself", () => {
    expect(validatePolicy(DEFAULT_POLICY)).toEqual([]);
    const bad = validatePolicy({
      ...DEFAULT_POLICY,
      objectivesPerOwner: { min: 6, max: 5, enforcement: "reject" },
      checkInCadence: { weekday: 7, hour: 9, everyDays: 7 },
    });
    expect(bad.map((e) => e.code)).toEqual(["policy-limit-order", "cadence-weekday"]);
  });
});

describe("objective states", () => {
  it("moves draft -> submitted -> approved -> closed, and returned objectives can be resubmitted", () => {
    expect(transition("draft", "submit")).toEqual({ kind: "move", from: "draft", to: "submitted" });
    expect(transition("submitted", "approve")).toEqual({ kind: "move", from: "submitted", to: "approved" });
    expect(transition("submitted", "return", "too vague")).toEqual({
      kind: "move",
      from: "submitted",
      to: "returned",
    });
    expect(transition("returned", "submit")).toMatchObject({ kind: "move", to: "submitted" });
    expect(transition("approved", "close")).toMatchObject({ kind: "move", to: "closed" });
  });

  it("rejects transitions the lifecycle does not have, and a return without reason", () => {
    const approveDraft = transition("draft", "approve");
    expect(approveDraft).toMatchObject({ kind: "rejected", violation: { code: "invalid-state-transition" } });
    expect(transition("closed", "submit")).toMatchObject({ kind: "rejected" });
    expect(transition("submitted", "return", "  ")).toMatchObject({
      kind: "rejected",
      violation: { code: "return-needs-reason" },
    });
    expect(transition("returned", "return", "again")).toMatchObject({ kind: "rejected" });
  });

  it("treats a repeated approve or close as unchanged (retried workflow activities)", () => {
    expect(transition("approved", "approve")).toEqual({ kind: "unchanged", state: "approved" });
    expect(transition("closed", "close")).toEqual({ kind: "unchanged", state: "closed" });
  });
});

describe("cycle phases", () => {
  it("only moves forward, locks on entering SCORING, and repeats are no-ops", () => {
    expect(changePhase("SETTING", "CASCADE")).toEqual({
      kind: "advance",
      from: "SETTING",
      to: "CASCADE",
      locks: false,
    });
    expect(changePhase("CHECK_INS", "SCORING")).toMatchObject({ kind: "advance", locks: true });
    expect(changePhase("SCORING", "RETROSPECTIVE")).toMatchObject({ kind: "advance", locks: false });
    expect(changePhase("SCORING", "SCORING")).toEqual({ kind: "unchanged" });
    expect(changePhase("SCORING", "CHECK_INS")).toMatchObject({
      kind: "rejected",
      violation: { code: "phase-backwards" },
    });
  });

  it("never goes backwards for any pair of phases", () => {
    fc.assert(
      fc.property(fc.constantFrom(...CYCLE_PHASES), fc.constantFrom(...CYCLE_PHASES), (from, to) => {
        const change = changePhase(from, to);
        const forward = CYCLE_PHASES.indexOf(to) > CYCLE_PHASES.indexOf(from);
        expect(change.kind).toBe(from === to ? "unchanged" : forward ? "advance" : "rejected");
      }),
    );
  });

  it("validates calendars", () => {
    const base = {
      name: "2027-Q1",
      startsAt: new Date("2027-01-01T00:00:00Z"),
      endsAt: new Date("2027-03-31T23:59:59Z"),
      timeZone: "Europe/Berlin",
      checkInCadence: DEFAULT_POLICY.checkInCadence,
    };
    expect(validateCycle(base)).toEqual([]);
    expect(validateCycle({ ...base, endsAt: base.startsAt }).map((e) => e.code)).toEqual(["cycle-order"]);
    expect(validateCycle({ ...base, timeZone: "Mars/Olympus" }).map((e) => e.code)).toEqual([
      "cycle-time-zone",
    ]);
  });
});

describe("alignment", () => {
  const node = (
    id: string,
    parent: string | null = null,
    extra: Partial<AlignmentNode> = {},
  ): AlignmentNode => ({
    id,
    tenantId: "t",
    cycleId: "c",
    alignedToObjectiveId: parent,
    contributesToObjectiveId: null,
    ...extra,
  });

  it("rejects loops, other cycles and other tenants", () => {
    const graph = new Map([
      ["a", node("a")],
      ["b", node("b", "a")],
      ["c", node("c", null, { contributesToObjectiveId: "b" })],
    ]);
    const lookup = (id: string) => graph.get(id);
    expect(
      checkAlignment(
        node("a"),
        { kind: "objective", objective: node("c", null, { contributesToObjectiveId: "b" }) },
        lookup,
      )?.code,
    ).toBe("alignment-cycle");
    expect(checkAlignment(node("a"), { kind: "objective", objective: node("a") }, lookup)?.code).toBe(
      "alignment-cycle",
    );
    expect(
      checkAlignment(node("x"), { kind: "objective", objective: node("b", "a") }, lookup),
    ).toBeUndefined();
    expect(
      checkAlignment(
        node("x"),
        { kind: "objective", objective: node("p", null, { cycleId: "other" }) },
        lookup,
      )?.code,
    ).toBe("alignment-cross-cycle");
    expect(
      checkAlignment(
        node("x"),
        { kind: "key-result", keyResultId: "k", objective: node("p", null, { tenantId: "B" }) },
        lookup,
      )?.code,
    ).toBe("alignment-cross-tenant");
  });

  it("keeps any sequence of accepted alignments free of loops", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(9), fc.nat(9)), { maxLength: 60 }), (links) => {
        const graph = new Map<string, AlignmentNode>(
          Array.from({ length: 10 }, (_, i) => [`o${i}`, node(`o${i}`)]),
        );
        for (const [c, p] of links) {
          const child = graph.get(`o${c}`) as AlignmentNode;
          const parent = graph.get(`o${p}`) as AlignmentNode;
          if (!checkAlignment(child, { kind: "objective", objective: parent }, (id) => graph.get(id)))
            graph.set(child.id, { ...child, alignedToObjectiveId: parent.id });
        }
        for (const start of graph.keys()) {
          const seen = new Set<string>();
          let current: string | null = start;
          while (current) {
            expect(seen.has(current)).toBe(false);
            seen.add(current);
            current = graph.get(current)?.alignedToObjectiveId ?? null;
          }
        }
      }),
    );
  });

  it("builds the cascade: contributors under the KR they serve, aligned objectives under their parent", () => {
    const tree = buildAlignmentTree([
      { id: "top", alignedToObjectiveId: null, contributesToKeyResultId: null, keyResults: [{ id: "k1" }] },
      { id: "mid", alignedToObjectiveId: null, contributesToKeyResultId: "k1", keyResults: [{ id: "k2" }] },
      { id: "side", alignedToObjectiveId: "top", contributesToKeyResultId: null, keyResults: [] },
      { id: "orphan", alignedToObjectiveId: "gone", contributesToKeyResultId: null, keyResults: [] },
    ]);
    expect(tree.map((n) => n.id)).toEqual(["top", "orphan"]);
    expect(tree[0]?.keyResults[0]?.contributors.map((n) => n.id)).toEqual(["mid"]);
    expect(tree[0]?.children.map((n) => n.id)).toEqual(["side"]);
  });
});

describe("team tree", () => {
  const parents = new Map<string, string | null>([
    ["root", null],
    ["eng", "root"],
    ["platform", "eng"],
  ]);
  it("never re-parents a team under itself or its descendants", () => {
    expect(checkParent("eng", "platform", parents)?.code).toBe("team-parent-cycle");
    expect(checkParent("eng", "eng", parents)?.code).toBe("team-parent-self");
    expect(checkParent("platform", "root", parents)).toBeUndefined();
  });
  it("orders teams top-down", () => {
    expect(
      topDown([
        { id: "platform", parentTeamId: "eng" },
        { id: "root", parentTeamId: null },
        { id: "eng", parentTeamId: "root" },
      ]).map((t) => t.id),
    ).toEqual(["root", "eng", "platform"]);
  });
});

describe("permissions", () => {
  const context = {
    parents: new Map<string, string | null>([
      ["root", null],
      ["eng", "root"],
      ["sales", "root"],
    ]),
    teamsOfPerson: (person: string) => (person === "pat" ? ["eng"] : []),
  };
  const actor = (
    personId: string,
    memberOf: string[],
    leads: string[] = [],
    roles: ("admin" | "member" | "leader" | "service")[] = ["member"],
  ) => ({
    personId,
    roles,
    memberOf: new Set([...memberOf, ...leads]),
    leads: new Set(leads),
  });

  it("members check in on their own and their team's KRs only", () => {
    expect(canCheckIn(actor("pat", ["eng"]), { kind: "team", id: "eng" }, context)).toBe(true);
    expect(canCheckIn(actor("pat", ["eng"]), { kind: "person", id: "pat" }, context)).toBe(true);
    expect(canCheckIn(actor("pat", ["eng"]), { kind: "team", id: "sales" }, context)).toBe(false);
    expect(canCheckIn(actor("sam", []), { kind: "person", id: "pat" }, context)).toBe(false);
    expect(canCheckIn(actor("svc", [], [], ["service"]), { kind: "team", id: "sales" }, context)).toBe(true);
  });

  it("leaders approve objectives of the teams they lead and below, never their own", () => {
    expect(canApprove(actor("lee", [], ["root"], ["leader"]), { kind: "team", id: "eng" }, context)).toBe(
      true,
    );
    expect(canApprove(actor("lee", [], ["sales"], ["leader"]), { kind: "team", id: "eng" }, context)).toBe(
      false,
    );
    expect(canApprove(actor("pat", ["eng"]), { kind: "team", id: "eng" }, context)).toBe(false);
    expect(canApprove(actor("lee", [], ["eng"], ["leader"]), { kind: "person", id: "pat" }, context)).toBe(
      true,
    );
    expect(canApprove(actor("pat", [], ["eng"], ["leader"]), { kind: "person", id: "pat" }, context)).toBe(
      false,
    );
  });
});

describe("check-ins", () => {
  const context = {
    keyResult: { type: "increase-to" as const, milestoneCount: 0, evidenceKind: "any" as const },
    objectiveState: "approved" as const,
    cycle: {
      phase: "CHECK_INS" as const,
      locked: false,
      startsAt: new Date("2027-01-01T00:00:00Z"),
      endsAt: new Date("2027-03-31T00:00:00Z"),
    },
    now: new Date("2027-02-01T00:00:00Z"),
  };
  const input = {
    value: 3,
    confidence: 0.7,
    note: "",
    evidence: { url: "https://dash.example/lead-time" },
    recordedAt: new Date("2027-02-01T00:00:00Z"),
    source: "person" as const,
  };

  it("accepts a check-in with evidence inside the cycle", () => {
    expect(validateCheckIn(input, context)).toEqual([]);
  });

  it("rejects a check-in without evidence", () => {
    expect(validateCheckIn({ ...input, evidence: {} }, context).map((e) => e.code)).toEqual([
      "check-in-without-evidence",
    ]);
    expect(validateCheckIn({ ...input, evidence: { url: " " } }, context).map((e) => e.code)).toEqual([
      "check-in-without-evidence",
    ]);
  });

  it("takes only http(s) links as evidence", () => {
    for (const url of ["http://ci.example/run/7", "HTTPS://dash.example/x?y=1#z"])
      expect([url, validateCheckIn({ ...input, evidence: { url } }, context)]).toEqual([url, []]);
    for (const url of [
      "javascript:alert(1)",
      " JavaScript:alert(1)",
      "file:///etc/passwd",
      "data:text/html,<b>x</b>",
      "ftp://files.example/report",
      "https://",
      "dash.example/lead-time",
    ])
      expect([url, validateCheckIn({ ...input, evidence: { url } }, context).map((e) => e.code)]).toEqual([
        url,
        ["check-in-evidence-url"],
      ]);
  });

  it("rejects check-ins after the cycle end, in a locked cycle, and out-of-range values", () => {
    const late = { ...context, now: new Date("2027-04-02T00:00:00Z") };
    expect(validateCheckIn(input, late).map((e) => e.code)).toEqual(["check-in-after-cycle-end"]);
    const locked = { ...context, cycle: { ...context.cycle, phase: "SCORING" as const, locked: true } };
    expect(validateCheckIn(input, locked).map((e) => e.code)).toEqual(["cycle-locked"]);
    expect(validateCheckIn({ ...input, confidence: 1.5 }, context).map((e) => e.code)).toEqual([
      "check-in-confidence",
    ]);
    expect(validateCheckIn({ ...input, milestonesDone: 1 }, context).map((e) => e.code)).toEqual([
      "check-in-milestones",
    ]);
    const wantsUrl = { ...context, keyResult: { ...context.keyResult, evidenceKind: "url" as const } };
    expect(validateCheckIn({ ...input, evidence: { system: "ci" } }, wantsUrl).map((e) => e.code)).toEqual([
      "check-in-evidence-kind",
    ]);
  });

  it("writes the metric snapshot into a system check-in's note", () => {
    expect(systemCheckInNote("lead-time", 4.5, "days", { wait: 3, process: 1.5 })).toBe(
      "lead-time = 4.5 days (snapshot: process=1.5, wait=3)",
    );
  });
});

describe("retrospectives", () => {
  it("needs content, a reflecting phase and carry-forwards of this cycle", () => {
    const input = { wentWell: "shipped", didNotGoWell: "", lessons: "", carryForwardKeyResultIds: ["k1"] };
    expect(validateRetrospective(input, "RETROSPECTIVE", (id) => id === "k1")).toEqual([]);
    expect(validateRetrospective(input, "SETTING", () => true).map((e) => e.code)).toEqual([
      "retrospective-phase",
    ]);
    expect(
      validateRetrospective(
        { wentWell: " ", didNotGoWell: "", lessons: "", carryForwardKeyResultIds: ["k1", "k1", "kx"] },
        "SCORING",
        (id) => id === "k1",
      ).map((e) => e.code),
    ).toEqual([
      "retrospective-empty",
      "retrospective-duplicate-carry-forward",
      "retrospective-unknown-key-result",
    ]);
  });
});
