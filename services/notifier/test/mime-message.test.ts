import MailComposer from "nodemailer/lib/mail-composer";
import { describe, expect, it } from "vitest";
import { composeEmail, type EmailMessage } from "../src/delivery/mime-message.ts";

const date = new Date("2026-12-04T10:15:30.000Z");
const boundaryKey = "0123456789abcdef";

const email = (fields: Partial<EmailMessage> = {}): EmailMessage => ({
  from: "OKR platform <okr@example.com>",
  to: "ann@example.com",
  subject: "Check in on your key results by 2026-12-05 13:00 UTC",
  text: "Hello Ann,\n\nTime for this week's check-in.\n\nOpen the cycle: http://web.example/cycles/c1",
  html: '<p>Hello Ann,</p>\n<p>Time for this week&#39;s check-in.</p>\n<p><a href="http://web.example/cycles/c1">Open the cycle</a></p>',
  deliveryId: "0193a4d2-7c1e-7b3a-9f00-5a1b2c3d4e5f",
  date,
  boundaryKey,
  ...fields,
});

/** What nodemailer's composer writes for the same fields, as the SMTP client puts it on the wire (CRLF). */
async function composedByNodemailer(message: EmailMessage): Promise<string> {
  const built = await new MailComposer({
    from: message.from,
    to: message.to,
    subject: message.subject,
    text: message.text,
    html: message.html,
    messageId: `<${message.deliveryId}@okr-notifier>`,
    headers: { "X-OKR-Delivery-Id": message.deliveryId },
    date: message.date,
    baseBoundary: boundaryKey,
  })
    .compile()
    .build();
  return built.toString("utf8").replace(/\r?\n/g, "\r\n");
}

/** The header block, its names lower-cased: mail readers compare them so, and nodemailer respells custom ones. */
const headerBlock = (raw: string) =>
  raw
    .slice(0, raw.indexOf("\r\n\r\n"))
    .replace(/^([\w-]+):/gm, (_, name: string) => `${name.toLowerCase()}:`);

// --- A small reader for the test: headers unfolded, RFC 2047 words and transfer encodings decoded. ---

const decodeQ = (text: string) =>
  Buffer.from(
    text
      .replace(/_/g, " ")
      .replace(/=([0-9A-F]{2})/gi, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16))),
    "latin1",
  );

/** An unstructured header's value: encoded words decoded, the whitespace between adjacent ones dropped. */
function decodeWords(value: string): string {
  const words = /=\?utf-8\?([QB])\?([^?]*)\?=/gi;
  const joined = value.replace(/\?=\s+=\?/g, "?==?");
  const parts: Buffer[] = [];
  let last = 0;
  for (const match of joined.matchAll(words)) {
    parts.push(Buffer.from(joined.slice(last, match.index), "utf8"));
    const [, kind, text = ""] = match;
    parts.push(kind?.toUpperCase() === "B" ? Buffer.from(text, "base64") : decodeQ(text));
    last = (match.index ?? 0) + match[0].length;
  }
  parts.push(Buffer.from(joined.slice(last), "utf8"));
  return Buffer.concat(parts).toString("utf8");
}

function headersOf(block: string): Map<string, string> {
  const unfolded = block.replace(/\r\n(?=[ \t])/g, "");
  return new Map(
    unfolded.split("\r\n").map((line) => {
      const colon = line.indexOf(":");
      return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()] as [string, string];
    }),
  );
}

function decodeBody(encoding: string | undefined, body: string): string {
  if (encoding === "base64") return Buffer.from(body.replace(/\r\n/g, ""), "base64").toString("utf8");
  if (encoding === "quoted-printable")
    return decodeQ(body.replace(/=\r\n/g, "").replace(/_/g, "=5F")).toString("utf8");
  return body;
}

/** The message read back: its headers, and each part's content type and decoded content. */
function read(raw: string) {
  const split = raw.indexOf("\r\n\r\n");
  const headers = headersOf(raw.slice(0, split));
  const boundary = /boundary="([^"]+)"/.exec(headers.get("content-type") ?? "")?.[1] ?? "";
  const body = raw.slice(split + 4);
  const sections = body.split(`--${boundary}`);
  expect(sections.at(-1)).toBe("--\r\n");
  const parts = sections.slice(1, -1).map((section) => {
    const content = section.replace(/^\r\n/, "").replace(/\r\n$/, "");
    const end = content.indexOf("\r\n\r\n");
    const partHeaders = headersOf(content.slice(0, end));
    return {
      type: partHeaders.get("content-type"),
      encoding: partHeaders.get("content-transfer-encoding"),
      content: decodeBody(partHeaders.get("content-transfer-encoding"), content.slice(end + 4)),
    };
  });
  return { headers, parts };
}

const crlf = (text: string) => text.replace(/\r?\n/g, "\r\n");

const cases: [string, Partial<EmailMessage>][] = [
  ["a plain ASCII reminder", {}],
  [
    "a non-ASCII name in the subject and the body",
    {
      subject: "Überfällig: Zoë's objective ✓ “Ship faster” 🚀",
      text: "Hallo Zoë Ångström,\n\nBitte prüfe deine Ziele 🚀.",
      html: "<p>Hallo Zoë Ångström,</p>\n<p>Bitte prüfe deine Ziele 🚀.</p>",
    },
  ],
  [
    "a long subject and a body line longer than a mail line may be",
    {
      subject: `At risk: ${"a very long objective title ".repeat(8).trim()}`,
      text: `Hello,\n\n${"word ".repeat(300)}\nend`,
      html: `<p>${"x".repeat(1500)}</p>`,
    },
  ],
  [
    "mostly non-latin text (base64)",
    {
      subject: "Напоминание: отметьтесь",
      text: "Здравствуйте, Анна!\n\nПора отметить прогресс по ключевым результатам.",
      html: "<p>こんにちは、花子さん</p>",
    },
  ],
  ["a non-ASCII sender name", { from: "Équipe OKR <okr@example.com>" }],
  ["an internationalised recipient domain", { to: "anna@jõgeva.ee" }],
  ["a non-ASCII recipient address (SMTPUTF8)", { to: "zoë@example.com" }],
  ["line breaks in the subject", { subject: "Check in\r\nBcc: someone@example.com" }],
  ["whitespace at the end of a line", { text: "Hello Ann, \nbye\t\n", html: "<p>\u00a0</p> " }],
];

describe("composing an email", () => {
  it.each(cases)("writes the email nodemailer's composer writes: %s", async (_, fields) => {
    const message = email(fields);
    const raw = composeEmail(message);
    const theirs = await composedByNodemailer(message);
    expect(headerBlock(raw)).toBe(headerBlock(theirs));
    // The parts' headers alike, and their content alike once decoded (where the encoders wrap
    // quoted-printable lines may differ); a base64 text part is the text with CRLF line breaks.
    const parts = (of: string) => read(of).parts.map((part) => ({ ...part, content: crlf(part.content) }));
    expect(parts(raw)).toEqual(parts(theirs));
  });

  it.each(cases)("reads back as the same email: %s", (_, fields) => {
    const message = email(fields);
    const raw = composeEmail(message);
    expect(raw).not.toMatch(/[^\r]\n|\r[^\n]/);
    for (const line of raw.split("\r\n")) expect(line.length).toBeLessThanOrEqual(998);

    const { headers, parts } = read(raw);
    expect(decodeWords(headers.get("subject") ?? "")).toBe(message.subject.replace(/\r?\n|\r/g, " "));
    expect(headers.get("message-id")).toBe(`<${message.deliveryId}@okr-notifier>`);
    expect(headers.get("x-okr-delivery-id")).toBe(message.deliveryId);
    expect(headers.get("date")).toBe("Fri, 04 Dec 2026 10:15:30 +0000");
    expect(headers.get("mime-version")).toBe("1.0");
    expect(headers.has("bcc")).toBe(false);
    expect(parts.map((part) => [part.type, part.content])).toEqual([
      ["text/plain; charset=utf-8", crlf(message.text)],
      ["text/html; charset=utf-8", crlf(message.html)],
    ]);
  });

  it("encodes the names of sender and subject with RFC 2047 words and the recipient's domain with punycode", () => {
    const raw = composeEmail(
      email({ from: "Équipe OKR <okr@example.com>", to: "anna@jõgeva.ee", subject: "Zoë ✓" }),
    );
    const { headers } = read(raw);
    expect(headers.get("from")).toMatch(/^=\?UTF-8\?Q\?=C3=89quipe_OKR\?= <okr@example\.com>$/);
    expect(decodeWords(headers.get("from") ?? "")).toBe("Équipe OKR <okr@example.com>");
    expect(headers.get("to")).toBe("anna@xn--jgeva-dua.ee");
    expect(decodeWords(headers.get("subject") ?? "")).toBe("Zoë ✓");
    expect(headers.get("subject")).toMatch(/^=\?UTF-8\?[QB]\?/);
    expect(raw.split("\r\n\r\n")[0]).toMatch(/^[\x20-\x7e\r\n\t]*$/);
  });

  it("keeps the Message-ID of a delivery at every attempt, with a fresh boundary each time", () => {
    const first = composeEmail(email({ boundaryKey: undefined }));
    const again = composeEmail(email({ boundaryKey: undefined, date: new Date(date.getTime() + 60_000) }));
    expect(read(first).headers.get("message-id")).toBe(read(again).headers.get("message-id"));
    expect(read(first).headers.get("content-type")).not.toBe(read(again).headers.get("content-type"));
  });
});
