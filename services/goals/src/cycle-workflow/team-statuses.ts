import { type TeamDraftingStatus, teamStatusQuery, workflowIds } from "@okr/cycle-workflows";
import { type Client, WorkflowNotFoundError } from "@temporalio/client";

/** Queries in flight at once: a page of teams answers in a few round trips without crowding the server. */
const CONCURRENT_QUERIES = 8;

/**
 * Each team's drafting as its own workflow reports it (state, deadline, reminders, escalation), or null
 * for a team whose drafting has not opened (still waiting for its parent, or skipped). A closed
 * drafting still answers: Temporal replays its history for the query.
 */
export async function teamDraftingStatuses(
  client: Client,
  organizationId: string,
  cycleId: string,
  teamIds: string[],
): Promise<Map<string, TeamDraftingStatus | null>> {
  const statuses = new Map<string, TeamDraftingStatus | null>();
  const queue = [...teamIds];
  const next = async (): Promise<void> => {
    for (let teamId = queue.shift(); teamId !== undefined; teamId = queue.shift()) {
      const handle = client.workflow.getHandle(workflowIds.team(organizationId, cycleId, teamId));
      try {
        statuses.set(teamId, await handle.query(teamStatusQuery));
      } catch (error) {
        if (!(error instanceof WorkflowNotFoundError)) throw error;
        statuses.set(teamId, null);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENT_QUERIES, teamIds.length) }, next));
  return statuses;
}
