import { type EventData, type EventEnvelope, PersonChanged, TeamChanged } from "@okr/events";
import { EventConsumer } from "@okr/messaging";
import { runtimeConsumer } from "@okr/service-kit";
import { type PersonFact, recordPeople, recordTeams, type TeamFact } from "../repositories/people.ts";
import type { NotifierRuntime } from "../service.ts";
import { latestPerKey, tenantFact } from "./fold.ts";

/** Whether `a` is the newer state (the later of two facts with the same time wins: it came later). */
const changedLater = (a: { changedAt: string }, b: { changedAt: string }) =>
  Date.parse(a.changedAt) >= Date.parse(b.changedAt);

/**
 * Keeps the notifier's replica of people (name, email, active, time zone, manager, teams) from
 * okr.person.changed.v1, in batches. Each event carries the person's whole state, so the newest one
 * (by `changedAt`) wins and a late or repeated event changes nothing.
 */
export function peopleReplicaConsumer(runtime: NotifierRuntime, groupId = `${runtime.consumerGroup}.people`) {
  return new EventConsumer({
    ...runtimeConsumer(runtime, groupId, [PersonChanged]),
    handleBatch: (events, tx) => recordPeople(tx, latestPerKey(events, personFact, changedLater)),
  });
}

/** Keeps the replica of teams (their leaders, whether removed) from okr.team.changed.v1. */
export function teamReplicaConsumer(runtime: NotifierRuntime, groupId = `${runtime.consumerGroup}.teams`) {
  return new EventConsumer({
    ...runtimeConsumer(runtime, groupId, [TeamChanged]),
    handleBatch: (events, tx) => recordTeams(tx, latestPerKey(events, teamFact, changedLater)),
  });
}

function personFact(event: EventEnvelope): { key: string; fact: PersonFact } {
  const { personId, name, email, active, timeZone, managerId, teams, removed, changedAt } =
    event.data as EventData<typeof PersonChanged>;
  return tenantFact(event, "person", personId, {
    personId,
    name,
    email: email.trim() || null,
    active,
    timeZone,
    managerId,
    teams,
    removed,
    changedAt,
  });
}

function teamFact(event: EventEnvelope): { key: string; fact: TeamFact } {
  const { teamId, name, parentTeamId, leaderIds, removed } = event.data as EventData<typeof TeamChanged>;
  return tenantFact(event, "team", teamId, {
    teamId,
    name,
    parentTeamId,
    leaderIds,
    removed,
    changedAt: event.time,
  });
}
