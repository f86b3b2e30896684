import type { OkrPolicy } from "@okr/goals-domain";
import { queryOptions, useQuery, useQueryClient } from "@tanstack/react-query";
import {
  allPages,
  api,
  type Cycle,
  fetchSession,
  getUnlessMissing,
  type KeyResult,
  type Me,
  type Objective,
  type Person,
  type Team,
  type TeamDraftingOf,
} from "./api.ts";

/** The reads the writing and approving pages share, under one query key each so they share a cache. */
export const useTeam = (teamId: string) =>
  useQuery({
    queryKey: ["team", teamId],
    queryFn: () => api.get<Team>(`/teams/${encodeURIComponent(teamId)}`),
  });

export const useCycle = (cycleId: string) =>
  useQuery({
    queryKey: ["cycle", cycleId],
    queryFn: () => api.get<Cycle>(`/cycles/${encodeURIComponent(cycleId)}`),
  });

/** Every cycle of the organization. */
export const useCycles = () => useQuery({ queryKey: ["cycles"], queryFn: () => allPages<Cycle>("/cycles") });

/** The browser's session as the BFF keeps it: signed in or not, the CSRF token, links. */
export const useSession = () => useQuery({ queryKey: ["session"], queryFn: fetchSession, staleTime: 60_000 });

/** Who is signed in as goals knows them (name, teams, roles); a failure is not retried, the page goes on. */
export const useMe = () => useQuery({ queryKey: ["me"], queryFn: () => api.get<Me>("/me"), retry: false });

/** A key result, under the key a check-in refreshes: its own page and a value stream's bound key results. */
export const keyResultQuery = (keyResultId: string) =>
  queryOptions({
    queryKey: ["key-result", keyResultId],
    queryFn: () => api.get<KeyResult>(`/key-results/${encodeURIComponent(keyResultId)}`),
  });

/** The organization's people, to name an owner (one list for a page, however many owners it names). */
export const usePeople = (enabled = true) =>
  useQuery({ queryKey: ["people"], queryFn: () => allPages<Person>("/people"), enabled });

/** The organization's limits (3–5 objectives, 2–5 key results unless an admin set others). */
export const usePolicy = () =>
  useQuery({ queryKey: ["policy"], queryFn: () => api.get<OkrPolicy>("/organization/policy") });

/** Every objective of a cycle, or only a team's (`teamId`), or only those in one state. */
export const useObjectives = (cycleId: string, filter: { teamId?: string; state?: string } = {}) =>
  useQuery({
    queryKey: ["objectives", cycleId, filter],
    queryFn: () =>
      allPages<Objective>(`/objectives?${new URLSearchParams({ cycleId, ...filter }).toString()}`),
  });

/**
 * The team's drafting in the cycle's run on the workflow engine, or null when the cycle has no run (404):
 * then objectives are submitted and approved one at a time, otherwise through the run.
 */
export const useTeamDrafting = (cycleId: string, teamId: string) =>
  useQuery({
    queryKey: ["team-drafting", cycleId, teamId],
    queryFn: () =>
      getUnlessMissing<TeamDraftingOf>(
        `/cycles/${encodeURIComponent(cycleId)}/teams/${encodeURIComponent(teamId)}/drafting`,
      ),
    retry: false,
  });

/** The phases in which objectives are written, aligned and approved (docs/domain.md). */
export const isDrafting = (phase: string) => phase === "SETTING" || phase === "CASCADE";

/** After a write: every view of objectives may have changed (lists, tree, my work). */
export function useRefreshObjectives() {
  const client = useQueryClient();
  return () =>
    Promise.all(
      [["objectives"], ["objective"], ["alignment-tree"], ["me", "work"], ["team-drafting"]].map((queryKey) =>
        client.invalidateQueries({ queryKey }),
      ),
    );
}
