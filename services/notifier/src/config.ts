import { PositiveInteger, ServiceConfigSchema } from "@okr/config";
import { type Static, Type } from "typebox";

/** The shared service variables plus the notifier's own: where mail and webhooks go, and how hard it tries. */
export const NotifierConfigSchema = Type.Object({
  ...ServiceConfigSchema.properties,
  SMTP_URL: Type.String({
    pattern: "^smtps?://[^\\s]+$",
    default: "smtp://127.0.0.1:1025",
    description: "the mail server, smtp://[user:password@]host:port (smtps:// for implicit TLS)",
  }),
  MAIL_FROM: Type.String({
    minLength: 3,
    default: "OKR platform <okr@localhost>",
    description: "the From of every email, e.g. OKR platform <okr@example.com>",
  }),
  WEB_URL: Type.String({
    pattern: "^https?://[^\\s]+$",
    default: "http://127.0.0.1:5173",
    description: "the web app's address (http(s)://), for the links in notifications",
  }),
  DELIVERY_MAX_ATTEMPTS: PositiveInteger(8),
  DELIVERY_BACKOFF_MS: PositiveInteger(2_000),
  DELIVERY_MAX_BACKOFF_MS: PositiveInteger(30 * 60 * 1000),
  SENDER_POLL_MS: PositiveInteger(1_000),
  REMINDER_MAX_AGE_MS: Type.Integer({
    minimum: 1,
    default: 24 * 60 * 60 * 1000,
    description: "a notification published longer ago than this (ms) gets no email, only its inbox entry",
  }),
  SENDER_BATCH_SIZE: PositiveInteger(50),
  DIGEST_POLL_MS: PositiveInteger(60_000),
  WEBHOOK_MAX_ATTEMPTS: PositiveInteger(15),
  WEBHOOK_TIMEOUT_MS: PositiveInteger(10_000),
  ALLOW_LOCAL_WEBHOOK_URLS: Type.Boolean({
    default: false,
    description:
      "true or false: whether chat channels and webhooks may be http:// and point at any host, this machine included (development and tests only)",
  }),
});

export type NotifierConfig = Static<typeof NotifierConfigSchema>;
