import { randomUUID } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { apiFor } from "@okr/testkit";
import { afterAll, beforeAll, expect } from "vitest";

/** One request as the receiver got it. */
export interface ReceivedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * A real HTTP receiver in the test process (node:http), standing in for a Slack or Teams webhook or
 * a customer's endpoint: keeps every POST and answers `status` (200 unless told otherwise). `down()`
 * closes it (connections are refused, as a receiver that is away), `up()` listens again on the same port.
 */
export async function startReceiver() {
  const received: ReceivedRequest[] = [];
  let status = 200;
  let server: Server | undefined;
  let port = 0;
  const listen = async () => {
    const next = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        if (status < 300)
          received.push({
            path: request.url ?? "",
            headers: request.headers,
            body: Buffer.concat(chunks).toString("utf8"),
          });
        response.writeHead(status, { "content-type": "text/plain" }).end(status < 300 ? "ok" : "unavailable");
      });
    });
    await new Promise<void>((resolve, reject) => {
      next.once("error", reject);
      next.listen(port, "127.0.0.1", () => resolve());
    });
    server = next;
    port = (next.address() as AddressInfo).port;
  };
  const down = async () => {
    const current = server;
    server = undefined;
    if (!current) return;
    current.closeAllConnections();
    await new Promise<void>((resolve) => current.close(() => resolve()));
  };
  await listen();
  return {
    received,
    /** The receiver's URL with `path`. */
    url: (path = "/hook") => `http://127.0.0.1:${port}${path}`,
    /** Answers `code` from now on (a 5xx: the request is not kept, as a receiver that failed). */
    answer: (code: number) => {
      status = code;
    },
    down,
    up: listen,
    close: down,
  };
}

export type Receiver = Awaited<ReturnType<typeof startReceiver>>;

/** A Slack and a Teams receiver for a test file: started before its tests, closed after. */
export function useChatReceivers(): { slack: Receiver; teams: Receiver } {
  const receivers = {} as { slack: Receiver; teams: Receiver };
  beforeAll(async () => {
    [receivers.slack, receivers.teams] = await Promise.all([startReceiver(), startReceiver()]);
  });
  afterAll(async () => {
    await Promise.all([receivers.slack?.close(), receivers.teams?.close()]);
  });
  return receivers;
}

/**
 * Connects a team's Slack and Teams channels to `chat`, each at a fresh path (Slack's under `workspace`,
 * as "T0001/B0001"), through `api` (a leader's or an admin's client), expecting both to be accepted.
 */
export async function connectChatChannels(
  chat: { slack: Receiver; teams: Receiver },
  api: ReturnType<typeof apiFor>,
  teamId: string,
  workspace: string,
): Promise<{ slackPath: string; teamsPath: string }> {
  const slackPath = `/services/${workspace}/${randomUUID()}`;
  const teamsPath = `/webhookb2/${randomUUID()}`;
  const channels = `/teams/${teamId}/channels`;
  expect((await api.put(`${channels}/slack`, { url: chat.slack.url(slackPath) })).status).toBe(200);
  expect((await api.put(`${channels}/teams`, { url: chat.teams.url(teamsPath) })).status).toBe(200);
  return { slackPath, teamsPath };
}
