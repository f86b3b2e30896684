import { Uuid } from "@okr/service-kit";
import { Type } from "typebox";

const Timestamp = () => Type.String({ format: "date-time" });
const Nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()]);

export const DeliveryState = Type.Union(
  [
    Type.Literal("pending"),
    Type.Literal("sent"),
    Type.Literal("skipped"),
    Type.Literal("parked"),
    Type.Literal("held"),
    Type.Literal("digested"),
  ],
  {
    description:
      "pending: to send (or being retried, or deferred: see deferredReason and nextAttemptAt); sent: " +
      "accepted by the mail server (in-app: in the inbox); skipped: never to be sent, see skipReason; " +
      "parked: failed too often, see lastError, retry by POST; held: waiting for the person's digest; " +
      "digested: carried by the digest digestId",
  },
);
export const Channel = Type.Union(
  [
    Type.Literal("email"),
    Type.Literal("in-app"),
    Type.Literal("slack"),
    Type.Literal("teams"),
    Type.Literal("webhook"),
  ],
  {
    description:
      "email, in-app: to a person; slack, teams: to a team's chat channel; webhook: to an endpoint",
  },
);

export const DeliveryView = Type.Object({
  id: Uuid(),
  eventId: Type.String({ description: "the id of the catalog event delivered" }),
  eventType: Type.String(),
  recipientId: Uuid("the person it is for (slack, teams: the team; webhook: the endpoint)"),
  channel: Channel,
  state: DeliveryState,
  skipReason: Nullable(
    Type.String({
      description:
        "unknown-person, removed, inactive, no-email, stale, channel-removed, endpoint-removed, email-off, expired (a reminder that waited past its deadline) or empty (a digest with nothing to say); skipped only",
    }),
  ),
  deferredReason: Nullable(
    Type.String({
      description: "quiet-hours or out-of-office: why the email waited past its first due time",
    }),
  ),
  digestId: Nullable(Uuid("the digest that carried it (digested only)")),
  subject: Type.String(),
  link: Type.String({ description: "where in the web app the notification points" }),
  attempts: Type.Integer({ minimum: 0 }),
  nextAttemptAt: Nullable(Timestamp()),
  lastError: Nullable(Type.String()),
  createdAt: Timestamp(),
  sentAt: Nullable(Timestamp()),
  readAt: Nullable(Timestamp()),
});
