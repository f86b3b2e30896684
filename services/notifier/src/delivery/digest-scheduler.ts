import { pgTransaction } from "@okr/messaging";
import { digestSummary, personSummaryScope } from "../repositories/digest-summary.ts";
import {
  type DigestReader,
  digestExists,
  digestReaders,
  heldEmails,
  recordDigest,
} from "../repositories/digests.ts";
import { isEmptyDigest, renderDigest } from "../rules/digest.ts";
import { effectivePreferences } from "../rules/preferences.ts";
import { digestPeriod } from "../rules/schedule.ts";
import type { NotifierRuntime } from "../service.ts";
import { DigestRounds } from "./scheduled.ts";

/**
 * Builds daily and weekly digests, beside the sender: every DIGEST_POLL_MS it looks at each person in
 * digest mode and, once their local digest time of the period has come, records one digest email with
 * the emails held for them and a summary of the period; the sender then mails it like any other (after
 * their quiet hours or absence). The period's key is unique per person, so schedulers on several
 * replicas, or a restarted one, build each digest once.
 */
export class DigestScheduler extends DigestRounds {
  constructor(runtime: NotifierRuntime, options: { clock?: () => Date } = {}) {
    super(runtime, "digest scheduler", options);
  }

  /** Builds the digests due by the clock's now; answers how many it recorded. */
  async runOnce(): Promise<number> {
    const now = this.clock();
    let built = 0;
    for (const reader of await digestReaders(this.runtime.pool)) {
      if (await this.#build(reader, now)) built++;
    }
    return built;
  }

  async #build(reader: DigestReader, now: Date): Promise<boolean> {
    const preferences = effectivePreferences(reader.own, reader.tenant, reader.replicaZone);
    if (preferences.digest === "immediate" || !preferences.email) return false;
    const period = digestPeriod(now, preferences.timeZone, preferences.digest, preferences.digestTime);
    return pgTransaction(this.runtime.pool, async (tx) => {
      if (await digestExists(tx, reader, period.key)) return false;
      const held = await heldEmails(tx, reader);
      const content = {
        mode: preferences.digest as "daily" | "weekly",
        held,
        ...(await digestSummary(tx, await personSummaryScope(tx, reader), period.since, period.at)),
      };
      const message = renderDigest(content, reader.name, this.runtime.config.WEB_URL);
      return recordDigest(
        tx,
        reader,
        period.key,
        message,
        held.map((email) => email.id),
        isEmptyDigest(content),
      );
    });
  }
}
