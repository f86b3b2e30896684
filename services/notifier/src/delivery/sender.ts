import type { BackgroundWork } from "@okr/service-kit";
import { createTransport, type Transporter } from "nodemailer";
import { type ClaimedEmail, claimDueEmails, markSent } from "../repositories/deliveries.ts";
import type { NotifierRuntime } from "../service.ts";
import { recordFailure } from "./failure.ts";
import { gateClaimed } from "./gating.ts";
import { PollingLoop } from "./polling.ts";

/** How long a claimed delivery is held before another sender may take it: longer than any send may take. */
const LEASE_MS = 2 * 60 * 1000;

/**
 * The email sender, beside the HTTP server like the outbox relay: claims due email deliveries, sends
 * each over SMTP and records the outcome. A failure is retried with backoff and jitter; after
 * DELIVERY_MAX_ATTEMPTS the delivery is parked until POST /deliveries/{id}/retry. Each recipient's
 * preferences decide first whether a claimed email goes out now (delivery/gating.ts). Several replicas may
 * run it: claims skip rows another holds. A sender killed between the mail server's acceptance and the
 * `sent` mark sends that email again after the lease; the Message-ID is the delivery's, so a mailbox
 * can tell the copy.
 */
export class EmailSender implements BackgroundWork {
  readonly #runtime: NotifierRuntime;
  readonly #loop: PollingLoop;
  #transport: Transporter | undefined;
  readonly #clock: () => Date;

  /** `clock` decides what is due and whether quiet hours or an absence hold an email back. */
  constructor(runtime: NotifierRuntime, options: { clock?: () => Date } = {}) {
    this.#runtime = runtime;
    this.#clock = options.clock ?? (() => new Date());
    const { config } = runtime;
    this.#loop = new PollingLoop({
      // A full batch means more are due: go on at once; otherwise wait for the next poll.
      round: async () => (await this.runOnce()) >= config.SENDER_BATCH_SIZE,
      intervalMs: config.SENDER_POLL_MS,
      onError: (error) => runtime.log("error", `email sender: ${error}`),
    });
  }

  start(): void {
    this.#transport ??= createTransport({
      url: this.#runtime.config.SMTP_URL,
      pool: true,
      maxConnections: 5,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    });
    this.#loop.start();
  }

  async stop(): Promise<void> {
    await this.#loop.stop();
    this.#transport?.close();
    this.#transport = undefined;
  }

  /** Sends one batch of due emails; returns how many it claimed. */
  async runOnce(): Promise<number> {
    const { pool, config } = this.#runtime;
    const now = this.#clock();
    const claimed = await claimDueEmails(pool, config.SENDER_BATCH_SIZE, LEASE_MS, now);
    const sendable = await gateClaimed(pool, claimed, now);
    await Promise.all(sendable.map((email) => this.#deliver(email)));
    return claimed.length;
  }

  async #deliver(email: ClaimedEmail): Promise<void> {
    const { pool, config } = this.#runtime;
    const transport = this.#transport;
    if (!transport) return;
    try {
      await transport.sendMail({
        from: config.MAIL_FROM,
        to: email.address,
        subject: email.subject,
        text: email.text,
        html: email.html,
        messageId: `<${email.id}@okr-notifier>`,
        headers: { "X-OKR-Delivery-Id": email.id },
      });
      await markSent(pool, email.id);
    } catch (error) {
      await recordFailure(this.#runtime, "email", email, error, config.DELIVERY_MAX_ATTEMPTS);
    }
  }
}
