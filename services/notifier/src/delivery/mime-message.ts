import { randomBytes } from "node:crypto";
import * as base64 from "nodemailer/lib/base64";
import { foldLines, hasLongerLines, isPlainText } from "nodemailer/lib/mime-funcs";
import MimeNode from "nodemailer/lib/mime-node";
import * as qp from "nodemailer/lib/qp";

/** One email as the sender mails it: an HTML part and a plain-text part with the same content. */
export interface EmailMessage {
  /** MAIL_FROM: an address, with or without a display name. */
  from: string;
  /** The recipient's address. */
  to: string;
  subject: string;
  text: string;
  html: string;
  /** The delivery's id: its Message-ID and X-OKR-Delivery-Id, the same at every attempt. */
  deliveryId: string;
  date: Date;
  /** The random part of the multipart boundary; fresh by default. */
  boundaryKey?: string;
}

/** Header lines are folded here, as nodemailer folds them. */
const LINE_LENGTH = 76;

const header = (name: string, value: string) => foldLines(`${name}: ${value}`, LINE_LENGTH);

/** Lone CR or LF in the text become CRLF, the only line break a message has on the wire. */
const crlf = (value: string) => value.replace(/\r\n|\r|\n/g, "\r\n");

/**
 * More control or non-ASCII characters than latin letters reads better base64-encoded; otherwise
 * quoted-printable keeps the text legible (the choice MimeNode makes for a text part).
 */
function prefersBase64(value: string): boolean {
  let other = 0;
  let latin = 0;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code >= 0x80 || (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d)) other++;
    else if ((code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a)) latin++;
  }
  return other >= latin;
}

/**
 * A text part: 7bit when it is plain ASCII with short lines, otherwise quoted-printable (or base64 for
 * mostly non-latin text), with every line within 76 characters.
 */
function textPart(contentType: string, content: string): string {
  const body = crlf(content);
  if (isPlainText(body) && !hasLongerLines(body, LINE_LENGTH))
    return `Content-Type: ${contentType}; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\n${body}`;
  const bytes = Buffer.from(body, "utf8");
  const [encoding, encoded] = prefersBase64(body)
    ? ["base64", base64.wrap(base64.encode(bytes), LINE_LENGTH)]
    : ["quoted-printable", qp.wrap(qp.encode(bytes), LINE_LENGTH)];
  return `Content-Type: ${contentType}; charset=utf-8\r\nContent-Transfer-Encoding: ${encoding}\r\n\r\n${encoded}`;
}

/**
 * The whole email as an RFC 5322 message (CRLF line breaks, multipart/alternative of plain text then
 * HTML), written as one string so the SMTP client streams it as it is instead of composing it. The
 * headers are encoded by nodemailer's own encoders (RFC 2047 words for a non-ASCII subject, punycode or
 * SMTPUTF8 addresses): the message nodemailer's composer writes from the same fields, but that its
 * quoted-printable soft breaks may fall elsewhere and a base64 part encodes the text with CRLF breaks.
 */
export function composeEmail(message: EmailMessage): string {
  const boundary = `--_NmP-${message.boundaryKey ?? randomBytes(8).toString("hex")}-Part_1`;
  const headers = [
    header("X-OKR-Delivery-Id", message.deliveryId),
    header("From", MimeNode.encodeHeaderValue("From", message.from)),
    header("To", MimeNode.encodeHeaderValue("To", message.to)),
    header("Subject", MimeNode.encodeHeaderValue("Subject", message.subject)),
    header("Message-ID", `<${message.deliveryId}@okr-notifier>`),
    header("Date", message.date.toUTCString().replace(/GMT/, "+0000")),
    "MIME-Version: 1.0",
    header("Content-Type", `multipart/alternative; boundary="${boundary}"`),
  ];
  return [
    `${headers.join("\r\n")}\r\n\r\n`,
    `--${boundary}\r\n${textPart("text/plain", message.text)}`,
    `\r\n--${boundary}\r\n${textPart("text/html", message.html)}`,
    `\r\n--${boundary}--\r\n`,
  ].join("");
}
