import { describe, expect, it } from "vitest";
import { isRetriableKafkaError, retryUntil } from "../src/retry.ts";

function kafkaError(name: string, retriable: boolean, cause?: Error): Error {
  return Object.assign(new Error(name), { name, retriable, cause });
}

describe("retryUntil", () => {
  it("retries until the attempt succeeds, logging each distinct reason once", async () => {
    const reasons = ["connect ECONNREFUSED", "connect ECONNREFUSED", "connect ECONNREFUSED", "unknown topic"];
    const lines: string[] = [];
    let attempts = 0;
    const done = await retryUntil(
      async () => {
        const reason = reasons[attempts++];
        if (reason) throw new Error(reason);
      },
      {
        what: "consumer start",
        initialDelayMs: 1,
        maxDelayMs: 2,
        log: (level, line) => lines.push(`${level} ${line}`),
      },
    );
    expect(done).toBe(true);
    expect(attempts).toBe(5);
    expect(lines).toEqual([
      "warn consumer start: connect ECONNREFUSED; retrying until it succeeds",
      "warn consumer start: unknown topic; retrying until it succeeds",
      expect.stringMatching(/^info consumer start: succeeded after 5 attempts/),
    ]);
  });

  it("throws an error it is told waiting cannot cure, at once", async () => {
    let attempts = 0;
    const refused = new Error("password authentication failed");
    await expect(
      retryUntil(
        async () => {
          attempts += 1;
          throw refused;
        },
        { what: "migrations", retriable: () => false, initialDelayMs: 1 },
      ),
    ).rejects.toBe(refused);
    expect(attempts).toBe(1);
  });

  it("gives up quietly when aborted", async () => {
    const stop = new AbortController();
    let attempts = 0;
    const done = retryUntil(
      async () => {
        attempts += 1;
        if (attempts === 2) stop.abort();
        throw new Error("still down");
      },
      { what: "start", signal: stop.signal, initialDelayMs: 1 },
    );
    expect(await done).toBe(false);
    expect(attempts).toBe(2);
  });
});

describe("isRetriableKafkaError", () => {
  it("follows kafkajs' classification of the innermost cause", () => {
    const refused = kafkaError("KafkaJSConnectionError", true);
    expect(isRetriableKafkaError(refused)).toBe(true);
    // kafkajs gives up with a non-retriable wrapper around the last retriable attempt.
    expect(isRetriableKafkaError(kafkaError("KafkaJSNumberOfRetriesExceeded", false, refused))).toBe(true);
    const unknownTopic = kafkaError("KafkaJSProtocolError", true);
    expect(isRetriableKafkaError(kafkaError("KafkaJSNonRetriableError", false, unknownTopic))).toBe(true);
    expect(isRetriableKafkaError(kafkaError("KafkaJSProtocolError", false))).toBe(false);
    expect(isRetriableKafkaError(new Error("read ECONNRESET"))).toBe(true);
  });
});
