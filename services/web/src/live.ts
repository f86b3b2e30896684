import { EventRegistry, KeyResultScored, ObjectiveScored, SCORING_TOPICS } from "@okr/events";
import { HEADER, type IncomingMessage, type MessageBus, type MessageConsumer } from "@okr/messaging";

/** What open pages are told about: a key result's or an objective's score moved. */
const LIVE_EVENTS = new EventRegistry([KeyResultScored, ObjectiveScored]);

/** One event as an open page receives it: the catalog's type and its data, unchanged. */
export interface LiveEvent {
  type: string;
  data: unknown;
}

export type LiveListener = (event: LiveEvent) => void;

export interface LiveFeedOptions {
  bus: MessageBus;
  /**
   * This instance's consumer group. Every instance must see every event (its pages are its own), so each
   * has a group of its own; a stable name per instance keeps restarts from leaving groups behind.
   */
  groupId: string;
  log: (level: "warn" | "error", message: string, error?: unknown) => void;
}

/**
 * Scores as the scoring service publishes them, fanned out to the pages open on this instance, per
 * tenant. Only a tenant with a listener costs more than a header lookup: the feed parses and checks an
 * event only when someone of its tenant is watching. A new group starts at the newest offset, so a page
 * hears what happens while it is open; what it showed before comes from its own requests.
 */
export class LiveFeed {
  readonly #options: LiveFeedOptions;
  readonly #listeners = new Map<string, Set<LiveListener>>();
  #consumer: MessageConsumer | undefined;

  constructor(options: LiveFeedOptions) {
    this.#options = options;
  }

  /**
   * Connects in the background: the web app serves pages while the broker is away, and pages simply get
   * no live updates until it is back (the consumer keeps retrying on its own).
   */
  start(): void {
    const consumer = this.#options.bus.consumer(this.#options.groupId, { sessionTimeoutMs: 10_000 });
    this.#consumer = consumer;
    void (async () => {
      await consumer.connect();
      await consumer.subscribe([SCORING_TOPICS.scores], { fromBeginning: false });
      await consumer.run({ eachMessage: async (message) => this.#deliver(message) });
    })().catch((error: unknown) => this.#options.log("error", "live updates stopped", error));
  }

  async stop(): Promise<void> {
    await this.#consumer?.disconnect();
    this.#consumer = undefined;
  }

  /** Calls `listener` with every live event of `tenantId` until the returned function is called. */
  subscribe(tenantId: string, listener: LiveListener): () => void {
    let listeners = this.#listeners.get(tenantId);
    if (!listeners) {
      listeners = new Set();
      this.#listeners.set(tenantId, listeners);
    }
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0) this.#listeners.delete(tenantId);
    };
  }

  /** How many pages are listening (for tests and metrics). */
  get listenerCount(): number {
    let count = 0;
    for (const listeners of this.#listeners.values()) count += listeners.size;
    return count;
  }

  #deliver(message: IncomingMessage): void {
    const tenant = message.headers[HEADER.tenant];
    const listeners = tenant ? this.#listeners.get(tenant) : undefined;
    if (!listeners || !LIVE_EVENTS.get(message.headers[HEADER.type] ?? "")) return;
    let event: LiveEvent;
    try {
      const envelope = LIVE_EVENTS.parse(message.value);
      // The header says which tenant; the envelope is what was signed off by the producer's outbox.
      if (envelope.tenant !== tenant) return;
      event = { type: envelope.type, data: envelope.data };
    } catch (error) {
      // Not this app's to dead-letter: the services' own consumers do that. A page just hears nothing.
      this.#options.log("warn", "an unreadable score event was not passed on", error);
      return;
    }
    for (const listener of listeners) listener(event);
  }
}
