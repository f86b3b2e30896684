import { describe, expect, it } from "vitest";
import { type CheckInDraft, checkInBody, isAcceptable, judgeCheckIn } from "../app/check-in-draft.ts";

const now = new Date("2026-11-15T12:00:00.000Z");
const cycle = {
  phase: "CHECK_INS" as const,
  locked: false,
  startsAt: "2026-10-01T00:00:00.000Z",
  endsAt: "2026-12-31T00:00:00.000Z",
};
const leadTime = { type: "decrease-to", milestones: [], evidence: { kind: "any", description: "" } };
const launches = {
  type: "milestone",
  milestones: ["pilot", "beta", "launch"],
  evidence: { kind: "url", description: "the release notes" },
};
const draft = (fields: Partial<CheckInDraft> = {}): CheckInDraft => ({
  value: "11",
  confidencePercent: "70",
  evidenceUrl: "https://grafana.example/lead-time",
  note: "",
  ...fields,
});
const codes = (violations: { code: string }[]) => violations.map((v) => v.code);

describe("a check-in draft, judged by goals-domain's rule before it is sent", () => {
  it("accepts a number, a confidence and a web link", () => {
    const verdict = judgeCheckIn(draft(), leadTime, cycle, now);
    expect(isAcceptable(verdict)).toBe(true);
    expect(checkInBody(draft({ note: " two teams " }), leadTime)).toEqual({
      value: 11,
      confidence: 0.7,
      evidence: { url: "https://grafana.example/lead-time" },
      note: "two teams",
    });
  });

  it("puts each broken rule under its field: evidence missing or not a web link, no number, confidence", () => {
    expect(codes(judgeCheckIn(draft({ evidenceUrl: " " }), leadTime, cycle, now).evidence)).toEqual([
      "check-in-without-evidence",
    ]);
    expect(
      codes(judgeCheckIn(draft({ evidenceUrl: "javascript:alert(1)" }), leadTime, cycle, now).evidence),
    ).toEqual(["check-in-evidence-url"]);
    const blank = judgeCheckIn(draft({ value: "", confidencePercent: "140" }), leadTime, cycle, now);
    expect(codes(blank.value)).toEqual(["check-in-value"]);
    expect(codes(blank.confidence)).toEqual(["check-in-confidence"]);
    expect(isAcceptable(blank)).toBe(false);
  });

  it("counts a milestone key result's milestones done, within the milestones it has", () => {
    expect(checkInBody(draft({ value: "2" }), launches)).toMatchObject({ value: 2, milestonesDone: 2 });
    expect(isAcceptable(judgeCheckIn(draft({ value: "3" }), launches, cycle, now))).toBe(true);
    expect(codes(judgeCheckIn(draft({ value: "4" }), launches, cycle, now).value)).toEqual([
      "check-in-milestones",
    ]);
    expect(codes(judgeCheckIn(draft({ value: "1.5" }), launches, cycle, now).value)).toEqual([
      "check-in-milestones",
    ]);
  });

  it("says when the cycle takes no check-ins, and leaves that to the service while the cycle is unknown", () => {
    const scoring = { ...cycle, phase: "SCORING" as const };
    expect(codes(judgeCheckIn(draft(), leadTime, scoring, now).general)).toEqual(["cycle-locked"]);
    const ended = { ...cycle, endsAt: "2026-11-01T00:00:00.000Z" };
    expect(codes(judgeCheckIn(draft(), leadTime, ended, now).general)).toEqual(["check-in-after-cycle-end"]);
    expect(isAcceptable(judgeCheckIn(draft(), leadTime, null, now))).toBe(true);
  });
});
