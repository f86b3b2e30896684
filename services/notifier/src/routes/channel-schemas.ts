import { Uuid } from "@okr/service-kit";
import { Type } from "typebox";

const Timestamp = () => Type.String({ format: "date-time" });

export const ChatKind = Type.Union([Type.Literal("slack"), Type.Literal("teams")], {
  description: "slack: a Slack incoming webhook; teams: a Microsoft Teams incoming webhook or workflow URL",
});

export const TeamChannelParams = Type.Object({ id: Uuid("the team"), kind: ChatKind });

export const TeamChannelBody = Type.Object(
  { url: Type.String({ minLength: 1, maxLength: 2000, description: "the channel's webhook URL" }) },
  { additionalProperties: false },
);

export const TeamChannelView = Type.Object({
  kind: ChatKind,
  url: Type.String({ description: "masked: scheme, host and the last four characters" }),
  updatedBy: Type.String({ description: "who set it (the token's subject)" }),
  updatedAt: Timestamp(),
});

const EventTypes = Type.Array(Type.String({ minLength: 1, maxLength: 200 }), {
  minItems: 1,
  maxItems: 100,
  uniqueItems: true,
  description: "catalog event types to send (docs/events.md), or ['*'] for all",
});
const Url = Type.String({ minLength: 1, maxLength: 2000, description: "where events are POSTed (https)" });
const Description = Type.String({ maxLength: 500 });

export const WebhookCreateBody = Type.Object(
  { url: Url, eventTypes: EventTypes, description: Type.Optional(Description) },
  { additionalProperties: false },
);

export const WebhookUpdateBody = Type.Object(
  { url: Type.Optional(Url), eventTypes: Type.Optional(EventTypes), description: Type.Optional(Description) },
  { additionalProperties: false, minProperties: 1 },
);

export const RotateBody = Type.Object(
  {
    graceSeconds: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 7 * 24 * 3600,
        default: 24 * 3600,
        description: "how long the secrets signing until now keep signing beside the new one (default a day)",
      }),
    ),
  },
  { additionalProperties: false },
);

export const WebhookEndpointView = Type.Object({
  id: Uuid(),
  url: Type.String(),
  description: Type.String(),
  eventTypes: Type.Array(Type.String()),
  createdAt: Timestamp(),
  updatedAt: Timestamp(),
  secrets: Type.Array(
    Type.Object({
      createdAt: Timestamp(),
      expiresAt: Type.Union([Timestamp(), Type.Null()], { description: "null: the current secret" }),
    }),
    { description: "the secrets that sign now (their values are shown only when made)" },
  ),
});

export const WebhookWithSecret = Type.Object({
  ...WebhookEndpointView.properties,
  secret: Type.String({ description: "the new signing secret (whsec_…): shown this once, store it now" }),
});
