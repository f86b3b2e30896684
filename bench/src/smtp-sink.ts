/**
 * A real SMTP server (smtp-server) for the notifier bench, in a worker thread with its own event loop, as
 * a mail server would be its own process: accepting mail does not run on the event loop of the notifier
 * under test. It accepts every message and reports, per message, the X-OKR-Delivery-Id header and when
 * it accepted it (epoch ms), in batches of what it accepted since the last report.
 */
import type { AddressInfo } from "node:net";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { SMTPServer } from "smtp-server";

export interface Accepted {
  deliveryId: string;
  /** Date.now() when the server accepted the message (its answer to the end of DATA). */
  at: number;
}

export interface SmtpSink {
  url: string;
  /** Every message accepted so far, in the order the reports arrived. */
  accepted: Accepted[];
  close(): Promise<void>;
}

const MARK = "okr-bench-smtp-sink";

/** Starts the sink's worker and resolves once it listens. */
export function startSmtpSink(): Promise<SmtpSink> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL(import.meta.url), { workerData: MARK });
    const accepted: Accepted[] = [];
    worker.on("message", (message: { port: number } | Accepted[]) => {
      if (Array.isArray(message)) {
        for (const item of message) accepted.push(item);
        return;
      }
      resolve({
        url: `smtp://127.0.0.1:${message.port}`,
        accepted,
        close: async () => {
          await worker.terminate();
        },
      });
    });
    worker.once("error", reject);
  });
}

if (!isMainThread && workerData === MARK) {
  let pending: Accepted[] = [];
  // Reports go out ten times a second: one message per email would cost the receiving thread more.
  setInterval(() => {
    if (pending.length === 0) return;
    parentPort?.postMessage(pending);
    pending = [];
  }, 100);
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["AUTH", "STARTTLS"],
    logger: false,
    maxClients: 100,
    onData(stream, _session, callback) {
      let head = "";
      stream.on("data", (chunk: Buffer) => {
        if (head.length < 4096) head += chunk.toString("utf8");
      });
      stream.on("end", () => {
        const deliveryId = /^X-OKR-Delivery-Id: (.+)$/im.exec(head)?.[1]?.trim() ?? "";
        pending.push({ deliveryId, at: Date.now() });
        callback();
      });
    },
  });
  server.listen(0, "127.0.0.1", () => {
    parentPort?.postMessage({ port: (server.server.address() as AddressInfo).port });
  });
}
