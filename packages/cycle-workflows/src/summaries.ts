/**
 * What the Temporal UI shows for each workflow: a one-line static summary and static details set when
 * the workflow starts (names, so runs are not listed by bare ids), and current details the workflow
 * keeps up to date (its phase and what it waits for). Pure, safe to import from workflow and client code.
 * Names are optional (older requests and histories have none): the id stands in.
 */

export interface Names {
  organizationId: string;
  organizationName?: string | undefined;
  cycleId?: string | undefined;
  cycleName?: string | undefined;
  teamId?: string | undefined;
  teamName?: string | undefined;
}

// Summaries are single-line; keep them short enough for a list column.
const oneLine = (text: string) => text.replace(/\s+/g, " ").trim().slice(0, 200);
const org = (names: Names) => names.organizationName || names.organizationId;
const cycle = (names: Names) => names.cycleName || names.cycleId || "";

export function programSummary(names: Names): { staticSummary: string; staticDetails: string } {
  return {
    staticSummary: oneLine(`OKR program · ${org(names)}`),
    staticDetails: `Runs the OKR cycles of **${org(names)}** one after another.\n\nOrganization id: \`${names.organizationId}\``,
  };
}

export function cycleSummary(names: Names): { staticSummary: string; staticDetails: string } {
  return {
    staticSummary: oneLine(`OKR cycle ${cycle(names)} · ${org(names)}`),
    staticDetails: `Cycle **${cycle(names)}** of **${org(names)}**: SETTING → CASCADE → CHECK_INS → SCORING → RETROSPECTIVE → CLOSED.\n\nOrganization id: \`${names.organizationId}\`\nCycle id: \`${names.cycleId}\``,
  };
}

export function teamSummary(
  names: Names,
  phase: "SETTING" | "CASCADE",
): { staticSummary: string; staticDetails: string } {
  return {
    staticSummary: oneLine(
      `Team ${names.teamName || names.teamId} drafting · ${cycle(names)} · ${org(names)}`,
    ),
    staticDetails: `Drafting of team **${names.teamName || names.teamId}** (${phase}) in cycle **${cycle(names)}** of **${org(names)}**.\n\nOrganization id: \`${names.organizationId}\`\nCycle id: \`${names.cycleId}\`\nTeam id: \`${names.teamId}\``,
  };
}

const when = (at: number | undefined) => (at === undefined ? "" : new Date(at).toISOString());

export interface CycleProgress {
  /** Undefined while the cycle loads its calendar and teams. */
  phase: string | undefined;
  paused: boolean;
  pausedReason: string | undefined;
  deadlineAt: number | undefined;
  teams: { total: number; waiting: number; open: number; approved: number; missed: number; skipped: number };
  checkIns: { due: number; ticks: number };
  scoring: { attempts: number };
  advanceRequested: boolean;
}

/** The cycle's current details: its phase, what it waits for, until when, and why it is paused. */
export function cycleDetails(names: Names, progress: CycleProgress): string {
  const { phase, teams } = progress;
  const waitsFor =
    phase === undefined
      ? "loading the cycle's calendar and teams"
      : phase === "SETTING" || phase === "CASCADE"
        ? `waits for team drafting: ${teams.open} open, ${teams.waiting} waiting, ${teams.approved} approved, ${teams.missed} missed, ${teams.skipped} skipped of ${teams.total}`
        : phase === "CHECK_INS"
          ? `sends check-in reminders: ${progress.checkIns.ticks} of ${progress.checkIns.due} due times done`
          : phase === "SCORING"
            ? `waits for complete final grades (${progress.scoring.attempts} attempts so far)`
            : phase === "RETROSPECTIVE"
              ? "waits for the teams' retrospectives"
              : "closed";
  return [
    `**${phase ?? "STARTING"}** · cycle ${cycle(names)} of ${org(names)}`,
    `Now: ${waitsFor}${progress.advanceRequested ? " (advancing to the next phase)" : ""}.`,
    progress.deadlineAt !== undefined && phase !== "CLOSED" ? `Deadline: ${when(progress.deadlineAt)}.` : "",
    progress.paused ? `**Paused**: ${progress.pausedReason ?? "by an operator"}.` : "",
  ]
    .filter(Boolean)
    .join("\n\n");
}

export interface DraftingProgress {
  phase: "SETTING" | "CASCADE";
  state: "drafting" | "submitted" | "approved" | "missed" | "closed";
  deadlineAt: number | undefined;
  escalated: boolean;
  paused: boolean;
}

/** A team drafting's current details: whom it waits for (submission or approval) and until when. */
export function draftingDetails(names: Names, progress: DraftingProgress): string {
  const team = names.teamName || names.teamId;
  const waitsFor =
    progress.state === "drafting"
      ? `waits for the leaders of team ${team} to submit objectives`
      : progress.state === "submitted"
        ? `waits for a leader of team ${team} or of its parent team to approve the submission`
        : `drafting ${progress.state}`;
  return [
    `**${progress.state.toUpperCase()}** (${progress.phase}) · team ${team} · cycle ${cycle(names)} of ${org(names)}`,
    `Now: ${waitsFor}.`,
    progress.deadlineAt !== undefined && (progress.state === "drafting" || progress.state === "submitted")
      ? `Deadline: ${when(progress.deadlineAt)}${progress.escalated ? " (passed: escalated to the parent team's leaders; closes as missed after the grace period)" : ""}.`
      : "",
    progress.paused ? "**Paused**: the cycle is paused." : "",
  ]
    .filter(Boolean)
    .join("\n\n");
}
