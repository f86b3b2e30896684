import type { BackgroundWork } from "@okr/service-kit";
import { markSent } from "../repositories/deliveries.ts";
import { type ClaimedPost, claimDuePosts, markSkipped } from "../repositories/outbound.ts";
import { slackMessage, teamsMessage } from "../rules/chat.ts";
import { webhookSignature } from "../rules/signature.ts";
import type { NotifierRuntime } from "../service.ts";
import { recordFailure } from "./failure.ts";
import { PollingLoop } from "./polling.ts";
import { postJson } from "./post.ts";

/** An answer's body, shortened, as the delivery's last error. */
const ERROR_BODY_CHARS = 300;

/**
 * The sender of chat (Slack, Teams) and webhook deliveries, beside the email sender: claims due ones
 * (a webhook only when nothing earlier of its endpoint and key is waiting), POSTs each and records the
 * outcome. A 2xx answer is success; anything else (a refused connection, a timeout, a redirect, another
 * status, a name resolving to a private address) is retried with backoff and jitter and parked after
 * WEBHOOK_MAX_ATTEMPTS. As with email,
 * delivery is at least once towards the receiver: the webhook-id header (the event's id) lets it
 * drop a copy.
 */
export class OutboundSender implements BackgroundWork {
  readonly #runtime: NotifierRuntime;
  readonly #loop: PollingLoop;

  constructor(runtime: NotifierRuntime) {
    this.#runtime = runtime;
    this.#loop = new PollingLoop({
      round: () => this.runOnce(),
      intervalMs: runtime.config.SENDER_POLL_MS,
      onError: (error) => runtime.log("error", `outbound sender: ${error}`),
    });
  }

  start(): void {
    this.#loop.start();
  }

  stop(): Promise<void> {
    return this.#loop.stop();
  }

  /**
   * Sends one batch; true when more may be due at once: the batch was full, or a send succeeded (the
   * next delivery of its key is free to go now, not a poll later).
   */
  async runOnce(): Promise<boolean> {
    const { pool, config } = this.#runtime;
    // The lease outlasts any request (its timeout), so no other sender takes a delivery mid-request.
    const leaseMs = Math.max(2 * 60 * 1000, 2 * config.WEBHOOK_TIMEOUT_MS);
    const claimed = await claimDuePosts(pool, config.SENDER_BATCH_SIZE, leaseMs);
    const sent = await Promise.all(claimed.map((post) => this.#deliver(post)));
    return claimed.length >= config.SENDER_BATCH_SIZE || sent.some(Boolean);
  }

  async #deliver(post: ClaimedPost): Promise<boolean> {
    const { pool, config } = this.#runtime;
    if (!post.url) {
      await markSkipped(pool, post.id, post.channel === "webhook" ? "endpoint-removed" : "channel-removed");
      return false;
    }
    try {
      const { status, answer } = await postJson(
        post.url,
        bodyOf(post),
        { "user-agent": "okr-notifier", ...headersOf(post) },
        { timeoutMs: config.WEBHOOK_TIMEOUT_MS, allowPrivate: config.ALLOW_LOCAL_WEBHOOK_URLS },
      );
      if (status < 200 || status >= 300)
        throw new Error(`HTTP ${status}${answer ? `: ${answer.slice(0, ERROR_BODY_CHARS)}` : ""}`);
      await markSent(pool, post.id);
      return true;
    } catch (error) {
      await recordFailure(this.#runtime, post.channel, post, error, config.WEBHOOK_MAX_ATTEMPTS);
      return false;
    }
  }
}

function bodyOf(post: ClaimedPost): string {
  if (post.channel === "slack") return JSON.stringify(slackMessage(post));
  if (post.channel === "teams") return JSON.stringify(teamsMessage(post));
  return post.text;
}

/** A webhook's Standard Webhooks headers, signed at each attempt (the timestamp is the attempt's). */
function headersOf(post: ClaimedPost): Record<string, string> {
  if (post.channel !== "webhook") return {};
  if (post.secrets.length === 0) throw new Error("the endpoint has no signing secret");
  const timestamp = Math.floor(Date.now() / 1000);
  return {
    "webhook-id": post.eventId,
    "webhook-timestamp": String(timestamp),
    "webhook-signature": webhookSignature(post.secrets, post.eventId, timestamp, post.text),
  };
}
