import type { BackgroundWork } from "@okr/service-kit";
import { createTransport, type Transporter } from "nodemailer";
import { type ClaimedEmail, claimDueEmails } from "../repositories/deliveries.ts";
import type { NotifierRuntime } from "../service.ts";
import { recordFailure } from "./failure.ts";
import { gateClaimed } from "./gating.ts";
import { InFlight } from "./in-flight.ts";
import { composeEmail } from "./mime-message.ts";
import { PollingLoop } from "./polling.ts";
import { SentMarks } from "./sent-marks.ts";

/** How long a claimed delivery is held before another sender may take it: longer than any send may take. */
const LEASE_MS = 2 * 60 * 1000;

/** Pooled SMTP connections. */
const SMTP_CONNECTIONS = 5;

/**
 * Messages a pooled connection carries before the pool replaces it. Each new connection costs a TCP
 * handshake, the greeting and EHLO on both ends, so a busy sender keeps its connections long; a server
 * that closes a connection sooner has it replaced as before, and idle ones still close.
 */
const MESSAGES_PER_CONNECTION = 1000;

/**
 * Emails in flight at once: enough queued per connection that a connection goes on with the next message
 * as soon as the server accepted one while the next claim and the `sent` marks (a send holds its place
 * until its row says `sent`) are still on their way to the database; bounded, so that at most this many
 * claimed emails wait in the process and at most this many can be repeated after a crash.
 */
export const MAX_IN_FLIGHT = SMTP_CONNECTIONS * 8;

/** A claim waits for this much room, so claims stay batches rather than one email each. */
const CLAIM_AT_LEAST = MAX_IN_FLIGHT / 2;

/**
 * The email sender, beside the HTTP server like the outbox relay: claims due email deliveries, sends
 * each over SMTP and records the outcome. A failure is retried with backoff and jitter; after
 * DELIVERY_MAX_ATTEMPTS the delivery is parked until POST /deliveries/{id}/retry. Each recipient's
 * preferences decide first whether a claimed email goes out now (delivery/gating.ts). Several replicas may
 * run it: claims skip rows another holds. It claims again while earlier emails are still being sent
 * (at most MAX_IN_FLIGHT at once), and marks each email `sent` as soon as the server accepted it (the
 * emails accepted while a mark is written go together in the next statement, sent-marks.ts). A
 * sender killed between the mail server's acceptance and the `sent` mark sends that email again after
 * the lease; the Message-ID is the delivery's, so a mailbox can tell the copy. wake() has it look for
 * due emails now (the notification consumer of its process wrote some); the poll finds the others.
 */
export class EmailSender implements BackgroundWork {
  readonly #runtime: NotifierRuntime;
  readonly #loop: PollingLoop;
  readonly #inFlight = new InFlight(MAX_IN_FLIGHT);
  readonly #marks: SentMarks;
  #transport: Transporter | undefined;
  readonly #clock: () => Date;

  /** `clock` decides what is due and whether quiet hours or an absence hold an email back. */
  constructor(runtime: NotifierRuntime, options: { clock?: () => Date } = {}) {
    this.#runtime = runtime;
    this.#clock = options.clock ?? (() => new Date());
    this.#marks = new SentMarks(runtime.pool);
    const { config } = runtime;
    this.#loop = new PollingLoop({
      round: () => this.#claimMore(),
      intervalMs: config.SENDER_POLL_MS,
      onError: (error) => runtime.log("error", `email sender: ${error}`),
    });
  }

  start(): void {
    this.#transport ??= createTransport({
      url: this.#runtime.config.SMTP_URL,
      pool: true,
      maxConnections: SMTP_CONNECTIONS,
      maxMessages: MESSAGES_PER_CONNECTION,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    });
    this.#loop.start();
  }

  async stop(): Promise<void> {
    await this.#loop.stop();
    await this.#inFlight.drain();
    this.#transport?.close();
    this.#transport = undefined;
  }

  /** Looks for due emails now rather than at the next poll. */
  wake(): void {
    this.#loop.wake();
  }

  /**
   * Claims as many due emails as there is room for in flight and starts sending them; true when it got
   * all it asked for (more are likely due: go on at once), false to wait for the next poll or wake().
   */
  async #claimMore(): Promise<boolean> {
    const { pool, config } = this.#runtime;
    await this.#inFlight.waitForRoom(Math.min(CLAIM_AT_LEAST, config.SENDER_BATCH_SIZE));
    const limit = Math.min(config.SENDER_BATCH_SIZE, this.#inFlight.room);
    const now = this.#clock();
    const claimed = await claimDueEmails(pool, limit, LEASE_MS, now);
    const sendable = await gateClaimed(pool, claimed, now);
    for (const email of sendable)
      this.#inFlight.add(
        this.#deliver(email).catch((error) => this.#runtime.log("error", `email sender: ${error}`)),
      );
    return claimed.length >= limit;
  }

  async #deliver(email: ClaimedEmail): Promise<void> {
    const { config } = this.#runtime;
    const transport = this.#transport;
    if (!transport) return;
    try {
      // The message written as one string (mime-message.ts): the client streams it as it is.
      const raw = composeEmail({
        from: config.MAIL_FROM,
        to: email.address,
        subject: email.subject,
        text: email.text,
        html: email.html,
        deliveryId: email.id,
        date: new Date(),
      });
      await transport.sendMail({ envelope: { from: config.MAIL_FROM, to: email.address }, raw });
      await this.#marks.mark(email.id);
    } catch (error) {
      await recordFailure(this.#runtime, "email", email, error, config.DELIVERY_MAX_ATTEMPTS);
    }
  }
}
