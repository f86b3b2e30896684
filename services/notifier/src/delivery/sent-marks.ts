import type { SqlRunner } from "@okr/database";
import { markSent } from "../repositories/deliveries.ts";

interface Waiting {
  id: string;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Marks accepted emails `sent` in as few statements as keeps each mark prompt: an email accepted while
 * a mark is being written waits for that statement and then goes, with every other email accepted
 * meanwhile, in the next one. A busy sender so writes one UPDATE (one commit) per handful of emails,
 * and an idle one still marks each at once. mark() resolves once the email's row says `sent`, and
 * rejects when the statement that carried it failed.
 */
export class SentMarks {
  readonly #db: SqlRunner;
  #waiting: Waiting[] = [];
  #writing = false;

  constructor(db: SqlRunner) {
    this.#db = db;
  }

  mark(id: string): Promise<void> {
    const { promise, resolve, reject } = Promise.withResolvers<void>();
    this.#waiting.push({ id, resolve, reject });
    if (!this.#writing) void this.#write();
    return promise;
  }

  async #write(): Promise<void> {
    this.#writing = true;
    while (this.#waiting.length > 0) {
      const batch = this.#waiting;
      this.#waiting = [];
      try {
        await markSent(this.#db, ...batch.map((waiting) => waiting.id));
        for (const waiting of batch) waiting.resolve();
      } catch (error) {
        for (const waiting of batch) waiting.reject(error);
      }
    }
    this.#writing = false;
  }
}
