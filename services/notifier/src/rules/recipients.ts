/** What a reminder names as its recipient (okr.cycle.reminder-due.v1). */
export interface ReminderTarget {
  recipient: { kind: "team" | "person"; id: string };
  action: string;
  escalation: boolean;
}

/** A person as the replica knows them; `undefined` where no event about them has arrived. */
export interface KnownPerson {
  personId: string;
  name: string;
  email: string | null;
  active: boolean;
  removed: boolean;
}

/** A team's members and leaders as the replicas know them. */
export interface KnownTeam {
  members: string[];
  leaders: string[];
}

/**
 * Who of a team a reminder is for. Approvals and escalations (a missed deadline sent up to the parent
 * team) ask for a decision, which is the leaders'; every other action (drafting, checking in, reviews,
 * retrospectives) is the whole team's work, so it goes to every member, leaders included.
 */
export function teamAudience(target: ReminderTarget): "leaders" | "members" {
  return target.escalation || target.action === "approve-objectives" ? "leaders" : "members";
}

/** The person ids a reminder goes to, each once, in a stable order. */
export function recipientIds(target: ReminderTarget, team: KnownTeam | undefined): string[] {
  if (target.recipient.kind === "person") return [target.recipient.id];
  if (!team) return [];
  const ids = teamAudience(target) === "leaders" ? team.leaders : team.members;
  return [...new Set(ids)].sort();
}

export type SkipReason = "unknown-person" | "removed" | "inactive" | "no-email" | "stale";

/** Why a person gets no email (a `skipped` delivery says so), or null: they can be mailed. */
export function emailSkipReason(person: KnownPerson | undefined): SkipReason | null {
  if (!person) return "unknown-person";
  if (person.removed) return "removed";
  if (!person.active) return "inactive";
  if (!person.email?.trim()) return "no-email";
  return null;
}

/**
 * Whether an event is too old to email: a notifier that starts on a topic's history (a new deployment,
 * a reset group) records what it missed in the inbox but does not mail reminders of days ago.
 */
export function isStale(publishedAt: string, now: Date, maxAgeMs: number): boolean {
  return now.getTime() - Date.parse(publishedAt) > maxAgeMs;
}

/**
 * Who an alert about an objective is for: its owner, that is the person, or the owning team's leaders
 * (deciding what to do about an objective at risk is theirs).
 */
export function ownerRecipientIds(
  owner: { kind: "team" | "person"; id: string },
  team: KnownTeam | undefined,
): string[] {
  if (owner.kind === "person") return [owner.id];
  return team ? [...new Set(team.leaders)].sort() : [];
}
