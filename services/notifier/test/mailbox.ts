import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";

/** One email as the mail server accepted it. */
export interface ReceivedMail {
  to: string[];
  /** The message as sent, quoted-printable soft line breaks joined. */
  raw: string;
  deliveryId: string | undefined;
  messageId: string | undefined;
}

export interface MailboxOptions {
  /** Called as each message is accepted, just before the server's 250 answer goes out. */
  onAccepted?: (mail: ReceivedMail) => void;
}

/**
 * A real SMTP server in the test process (smtp-server): accepts every message and keeps it, except
 * for recipients in `refused`, whose RCPT TO it answers with a temporary failure (451), as a mail
 * server that cannot take their mail right now.
 */
export async function startMailbox(options: MailboxOptions = {}) {
  const received: ReceivedMail[] = [];
  const refused = new Set<string>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["AUTH", "STARTTLS"],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (!refused.has(address.address)) return callback();
      const error = Object.assign(new Error(`mailbox of ${address.address} unavailable`), {
        responseCode: 451,
      });
      callback(error);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        const raw = Buffer.concat(chunks)
          .toString("utf8")
          .replace(/=\r?\n/g, "");
        const mail = {
          to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          raw,
          deliveryId: /^X-OKR-Delivery-Id: (.+)$/im.exec(raw)?.[1]?.trim(),
          messageId: /^Message-ID: (.+)$/im.exec(raw)?.[1]?.trim(),
        };
        received.push(mail);
        options.onAccepted?.(mail);
        callback();
      });
    },
  });
  // A client gone in the middle of a mail transaction (a killed sender) resets its connection; the
  // server goes on serving the others, as a real one does.
  server.on("error", () => {});
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    refused,
    /** The mails accepted for `address`. */
    mailsTo: (address: string) => received.filter((mail) => mail.to.includes(address)),
    /** SMTP connections still open (a killed sender's are closed once this is 0). */
    openConnections: () => server.connections.size,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
