import { digestSummary, teamSummaryScope } from "../repositories/digest-summary.ts";
import { insertTeamChannelDeliveries } from "../repositories/team-channels.ts";
import { teamDigestEventId, teamDigestsDue, teamDigestTenants } from "../repositories/team-digests.ts";
import { isEmptyDigest, renderTeamDigest, TEAM_DIGEST_EVENT_TYPE } from "../rules/digest.ts";
import { effectivePreferences } from "../rules/preferences.ts";
import { digestPeriod } from "../rules/schedule.ts";
import type { NotifierRuntime } from "../service.ts";
import { DigestRounds } from "./scheduled.ts";

/**
 * Builds each team's weekly digest for its chat channels, beside the person digests: every
 * DIGEST_POLL_MS, for each tenant with a team that has a channel, once the tenant's digest weekday and
 * time have come in the tenant's zone (its defaults; UTC, Monday 08:00 when unset), it writes one post
 * per channel of each team with the summary of the team's week. The outbound sender posts it with its
 * retries and parking. The week's event id is unique per team and channel kind, so schedulers on several
 * replicas, or a restarted one, post it once; a week with nothing to say is recorded skipped (`empty`).
 */
export class TeamDigestScheduler extends DigestRounds {
  constructor(runtime: NotifierRuntime, options: { clock?: () => Date } = {}) {
    super(runtime, "team digest scheduler", options);
  }

  /** Builds the team digests due by the clock's now; answers for how many teams it built one. */
  async runOnce(): Promise<number> {
    const now = this.clock();
    const { pool, config } = this.runtime;
    let built = 0;
    for (const tenant of await teamDigestTenants(pool)) {
      // Only the tenant's defaults count: a team has no zone or digest time of its own.
      const defaults = effectivePreferences({}, tenant.settings, null);
      const period = digestPeriod(now, defaults.timeZone, "weekly", defaults.digestTime);
      const event = {
        id: teamDigestEventId(period.key),
        type: TEAM_DIGEST_EVENT_TYPE,
        tenant: tenant.tenantId,
      };
      for (const team of await teamDigestsDue(pool, tenant.tenantId, event.id)) {
        const scope = await teamSummaryScope(pool, tenant.tenantId, team.teamId);
        const summary = await digestSummary(pool, scope, period.since, period.at);
        const message = renderTeamDigest(summary, team.name, config.WEB_URL);
        const skip = isEmptyDigest(summary) ? "empty" : null;
        await insertTeamChannelDeliveries(pool, event, team.teamId, team.kinds, message, skip);
        built++;
      }
    }
    return built;
  }
}
