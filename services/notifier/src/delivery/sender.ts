import type { BackgroundWork } from "@okr/service-kit";
import { createTransport, type Transporter } from "nodemailer";
import { type ClaimedEmail, claimDueEmails, markSent } from "../repositories/deliveries.ts";
import type { NotifierRuntime } from "../service.ts";
import { recordFailure } from "./failure.ts";
import { PollingLoop } from "./loop.ts";

/** How long a claimed delivery is held before another sender may take it: longer than any send may take. */
const LEASE_MS = 2 * 60 * 1000;

/**
 * The email sender, beside the HTTP server like the outbox relay: claims due email deliveries, sends
 * each over SMTP and records the outcome. A failure is retried with backoff and jitter; after
 * DELIVERY_MAX_ATTEMPTS the delivery is parked until POST /deliveries/{id}/retry. Several replicas may
 * run it: claims skip rows another holds. A sender killed between the mail server's acceptance and the
 * `sent` mark sends that email again after the lease; the Message-ID is the delivery's, so a mailbox
 * can tell the copy.
 */
export class EmailSender implements BackgroundWork {
  readonly #runtime: NotifierRuntime;
  readonly #loop: PollingLoop;
  #transport: Transporter | undefined;

  constructor(runtime: NotifierRuntime) {
    this.#runtime = runtime;
    this.#loop = new PollingLoop("email sender", runtime.log);
  }

  start(): void {
    if (this.#transport) return;
    const { config } = this.#runtime;
    this.#transport = createTransport({
      url: config.SMTP_URL,
      pool: true,
      maxConnections: 5,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    });
    // A full batch means more are due: go on at once; otherwise wait for the next poll.
    this.#loop.start(config.SENDER_POLL_MS, async () => (await this.runOnce()) >= config.SENDER_BATCH_SIZE);
  }

  async stop(): Promise<void> {
    await this.#loop.stop();
    this.#transport?.close();
    this.#transport = undefined;
  }

  /** Sends one batch of due emails; returns how many it claimed. */
  async runOnce(): Promise<number> {
    const { pool, config } = this.#runtime;
    const claimed = await claimDueEmails(pool, config.SENDER_BATCH_SIZE, LEASE_MS);
    await Promise.all(claimed.map((email) => this.#deliver(email)));
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
