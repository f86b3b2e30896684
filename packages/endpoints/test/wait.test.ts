import { describe, expect, it } from "vitest";
import { retryWhileUnavailable } from "../src/index.ts";

type Answer = { status: number; retryAfter?: string };

/** Answers the given statuses in turn (the last one from then on), counting the calls. */
function answering(...answers: Answer[]) {
  let calls = 0;
  const send = async () => answers[Math.min(calls++, answers.length - 1)] as Answer;
  return { send, calls: () => calls };
}
const retryAfterOf = (answer: Answer) => (answer.status === 503 ? answer.retryAfter : undefined);

describe("retryWhileUnavailable", () => {
  it("sends again while the answer is a 503 with Retry-After, and returns the first other answer", async () => {
    const server = answering(
      { status: 503, retryAfter: "0" },
      { status: 503, retryAfter: "0" },
      { status: 201 },
    );
    expect(await retryWhileUnavailable(server.send, retryAfterOf)).toEqual({ status: 201 });
    expect(server.calls()).toBe(3);
  });

  it("does not retry a 503 without Retry-After, nor any other status", async () => {
    const bare = answering({ status: 503 }, { status: 201 });
    expect(await retryWhileUnavailable(bare.send, retryAfterOf)).toEqual({ status: 503 });
    expect(bare.calls()).toBe(1);
    const refused = answering({ status: 400, retryAfter: "0" }, { status: 201 });
    expect((await retryWhileUnavailable(refused.send, retryAfterOf)).status).toBe(400);
    expect(refused.calls()).toBe(1);
  });

  it("gives up after the given number of retries and returns the last answer", async () => {
    const down = answering({ status: 503, retryAfter: "0" });
    expect(await retryWhileUnavailable(down.send, retryAfterOf, 3)).toEqual({ status: 503, retryAfter: "0" });
    expect(down.calls()).toBe(4);
  });
});
