import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postJson } from "../src/delivery/post.ts";
import { isPrivateAddress } from "../src/rules/outbound-urls.ts";
import { type Receiver, startReceiver } from "./receiver.ts";

let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver?.close();
});

describe("posting to a receiver", () => {
  const options = { timeoutMs: 5_000, allowPrivate: true };

  it("sends JSON and answers the status", async () => {
    const answer = await postJson(receiver.url("/ok"), '{"a":1}', { "x-test": "1" }, options);
    expect(answer).toEqual({ status: 200, answer: "ok" });
    const request = receiver.received.find((r) => r.path === "/ok");
    expect(request?.body).toBe('{"a":1}');
    expect(request?.headers["content-type"]).toBe("application/json");
    expect(request?.headers["x-test"]).toBe("1");
  });

  it("refuses a name that resolves to this machine unless private addresses are allowed", async () => {
    const url = receiver.url("/by-name").replace("127.0.0.1", "localhost");
    await expect(postJson(url, "{}", {}, { ...options, allowPrivate: false })).rejects.toThrow(
      /resolves to .*private address/,
    );
    expect(receiver.received.some((r) => r.path === "/by-name")).toBe(false);
    expect((await postJson(url, "{}", {}, options)).status).toBe(200);
  });

  it("tells private addresses from public ones", () => {
    for (const address of [
      "127.0.0.1",
      "10.0.0.1",
      "172.16.5.4",
      "192.168.1.1",
      "169.254.169.254",
      "::1",
      "fd12::1",
    ])
      expect(isPrivateAddress(address)).toBe(true);
    for (const address of ["8.8.8.8", "140.82.112.3", "2606:4700::1111"])
      expect(isPrivateAddress(address)).toBe(false);
  });
});
