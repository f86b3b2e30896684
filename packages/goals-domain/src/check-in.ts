import type { CyclePhase } from "./cycle.ts";
import { isLockedPhase } from "./cycle.ts";
import type { EvidenceKind, KeyResultType } from "./key-result.ts";
import type { ObjectiveState } from "./objective.ts";
import type { RuleViolation } from "./rules.ts";

export interface Evidence {
  url?: string;
  system?: string;
}

export interface CheckInInput {
  value: number;
  confidence: number;
  note: string;
  evidence: Evidence;
  milestonesDone?: number;
  recordedAt: Date;
  source: "person" | "system";
}

/** What a check-in is checked against: its key result, that KR's objective and cycle, and the clock. */
export interface CheckInContext {
  keyResult: { type: KeyResultType; milestoneCount: number; evidenceKind: EvidenceKind };
  objectiveState: ObjectiveState;
  cycle: { phase: CyclePhase; locked: boolean; startsAt: Date; endsAt: Date };
  now: Date;
}

/**
 * Evidence links are opened by the people who read the OKR: only web links (http, https) with a host,
 * never `javascript:`, `file:`, `data:` or the like.
 */
export function isWebLink(url: string): boolean {
  const parsed = URL.parse(url);
  return (
    parsed !== null && (parsed.protocol === "https:" || parsed.protocol === "http:") && parsed.host !== ""
  );
}

/** Clocks disagree a little; a check-in stamped slightly ahead of the server is still today's check-in. */
const CLOCK_SKEW_MS = 5 * 60_000;

/**
 * A check-in must carry evidence that is available, credible and verifiable (a link or a system source,
 * the kind its KR asks for), must land inside its cycle, and cannot change a frozen cycle.
 */
export function validateCheckIn(input: CheckInInput, context: CheckInContext): RuleViolation[] {
  const errors: RuleViolation[] = [];
  const url = input.evidence.url?.trim();
  const system = input.evidence.system?.trim();
  const wanted = context.keyResult.evidenceKind;
  if (!url && !system)
    errors.push({
      code: "check-in-without-evidence",
      message: "a check-in must carry evidence: a link (evidence.url) or a system source (evidence.system)",
      hint: "link the dashboard, report, ticket or commit that shows the value",
      path: "/evidence",
    });
  else if (url && !isWebLink(url))
    errors.push({
      code: "check-in-evidence-url",
      message: "evidence.url must be an http(s) link",
      hint: "link the dashboard, report, ticket or commit on the web",
      path: "/evidence/url",
    });
  else if (wanted === "url" && !url)
    errors.push({
      code: "check-in-evidence-kind",
      message: "this key result asks for a link as evidence (evidence.url)",
      path: "/evidence/url",
    });
  else if (wanted === "system" && !system)
    errors.push({
      code: "check-in-evidence-kind",
      message: "this key result asks for a system source as evidence (evidence.system)",
      path: "/evidence/system",
    });
  if (input.source === "system" && !system)
    errors.push({
      code: "system-check-in-source",
      message: "a system check-in names its source in evidence.system",
      path: "/evidence/system",
    });
  if (!Number.isFinite(input.value))
    errors.push({ code: "check-in-value", message: "value must be a finite number", path: "/value" });
  if (!(input.confidence >= 0 && input.confidence <= 1))
    errors.push({
      code: "check-in-confidence",
      message: "confidence must be between 0.0 and 1.0",
      path: "/confidence",
    });
  if (input.milestonesDone !== undefined) {
    if (context.keyResult.type !== "milestone")
      errors.push({
        code: "check-in-milestones",
        message: "milestonesDone applies to milestone key results only",
        path: "/milestonesDone",
      });
    else if (
      !Number.isInteger(input.milestonesDone) ||
      input.milestonesDone < 0 ||
      input.milestonesDone > context.keyResult.milestoneCount
    )
      errors.push({
        code: "check-in-milestones",
        message: `milestonesDone must be 0 to ${context.keyResult.milestoneCount} (the key result's milestones)`,
        path: "/milestonesDone",
      });
  }
  const { cycle } = context;
  if (cycle.locked || isLockedPhase(cycle.phase))
    errors.push({
      code: "cycle-locked",
      message: `the cycle is in ${cycle.phase}; its key results are frozen and take no more check-ins`,
    });
  if (input.recordedAt > cycle.endsAt || context.now > cycle.endsAt)
    errors.push({
      code: "check-in-after-cycle-end",
      message: `the cycle ended at ${cycle.endsAt.toISOString()}; check-ins after the end are not accepted`,
      path: "/recordedAt",
    });
  else if (input.recordedAt < cycle.startsAt)
    errors.push({
      code: "check-in-before-cycle-start",
      message: `the cycle starts at ${cycle.startsAt.toISOString()}; a check-in cannot be recorded before it`,
      path: "/recordedAt",
    });
  if (input.recordedAt.getTime() > context.now.getTime() + CLOCK_SKEW_MS)
    errors.push({
      code: "check-in-in-future",
      message: "recordedAt lies in the future",
      path: "/recordedAt",
    });
  if (context.objectiveState === "closed")
    errors.push({ code: "objective-closed", message: "the key result's objective is closed" });
  return errors;
}

/** The note of a system check-in: what the metric said, readable in the OKR's history. */
export function systemCheckInNote(
  metric: string,
  value: number,
  unit: string,
  snapshot: Record<string, number>,
): string {
  const parts = Object.entries(snapshot)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, v]) => `${key}=${v}`);
  return `${metric} = ${value} ${unit} (snapshot: ${parts.join(", ") || "none"})`.slice(0, 4000);
}
