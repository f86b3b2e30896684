import type { Owner } from "./objective.ts";
import { ancestorsOf } from "./team-tree.ts";

export type Role = "admin" | "leader" | "member" | "service";

/** Who is acting, with the team memberships the service looked up for them. */
export interface Actor {
  personId: string;
  roles: readonly Role[];
  /** Teams the person belongs to (as member or leader). */
  memberOf: ReadonlySet<string>;
  /** Teams the person leads. */
  leads: ReadonlySet<string>;
}

export interface TeamContext {
  parents: ReadonlyMap<string, string | null>;
  /** Teams a person-owner belongs to (for person-owned OKRs). */
  teamsOfPerson: (personId: string) => readonly string[];
}

/** Admins manage structure and policy; the service credential (cycle worker, integrations) may do all an admin may. */
export const isAdmin = (actor: Pick<Actor, "roles">) =>
  actor.roles.includes("admin") || actor.roles.includes("service");

const leadsTeamOrAncestor = (actor: Actor, teamId: string, context: TeamContext) =>
  actor.leads.has(teamId) || ancestorsOf(teamId, context.parents).some((team) => actor.leads.has(team));

/** Members act on OKRs they own or their team owns; leaders on those of the teams they lead (and teams below). */
export function canWorkOn(actor: Actor, owner: Owner, context: TeamContext): boolean {
  if (isAdmin(actor)) return true;
  if (owner.kind === "person") {
    if (owner.id === actor.personId) return true;
    return context.teamsOfPerson(owner.id).some((team) => leadsTeamOrAncestor(actor, team, context));
  }
  return actor.memberOf.has(owner.id) || leadsTeamOrAncestor(actor, owner.id, context);
}

/** Check-ins: the owning person, the owning team's members, their leaders up the tree, admins and integrations. */
export const canCheckIn = canWorkOn;

/**
 * Approving (and returning) is a leader's call: the leader of the owning team or of a team above it,
 * or for a person's objective the leader of one of that person's teams. Nobody approves their own objective
 * unless they are an admin.
 */
export function canApprove(actor: Actor, owner: Owner, context: TeamContext): boolean {
  if (isAdmin(actor)) return true;
  if (owner.kind === "person") {
    if (owner.id === actor.personId) return false;
    return context.teamsOfPerson(owner.id).some((team) => leadsTeamOrAncestor(actor, team, context));
  }
  return leadsTeamOrAncestor(actor, owner.id, context);
}

/** Retrospectives are written by the team's own people (or an admin). */
export const canWriteRetrospective = (actor: Actor, teamId: string, context: TeamContext) =>
  canWorkOn(actor, { kind: "team", id: teamId }, context);

/** The mid-cycle review is the team's leaders' to hold (or an admin's to record). */
export const canHoldMidCycleReview = (actor: Actor, teamId: string) =>
  isAdmin(actor) || actor.leads.has(teamId);
