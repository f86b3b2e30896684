import type { EventEnvelope } from "@okr/events";
import type { PgTransaction } from "@okr/messaging";
import { insertTeamChannelDeliveries, teamChannelsOf } from "../repositories/team-channels.ts";
import { isStale } from "../rules/recipients.ts";
import type { RenderedMessage } from "../rules/template.ts";
import type { NotifierRuntime } from "../service.ts";

/**
 * A notification addressed to a team (or about an objective a team owns) is also posted to each of the
 * team's chat channels: one delivery per channel, written with the consumed event like the people's,
 * and addressed to the team by name. An event too old to email is not posted either (skipped, stale).
 */
export async function recordTeamChannels(
  runtime: NotifierRuntime,
  event: EventEnvelope,
  tx: PgTransaction,
  teamId: string,
  render: (name: string) => RenderedMessage,
): Promise<void> {
  const team = await teamChannelsOf(tx, event.tenant, teamId);
  if (!team) return;
  const stale = isStale(event.time, new Date(), runtime.config.REMINDER_MAX_AGE_MS);
  await insertTeamChannelDeliveries(tx, event, teamId, team.kinds, render(team.name), stale ? "stale" : null);
}
