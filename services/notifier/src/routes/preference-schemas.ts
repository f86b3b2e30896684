import { Type } from "typebox";

const Clock = (description: string) =>
  Type.String({
    pattern: "^([01][0-9]|2[0-3]):[0-5][0-9]$",
    description: `${description}, HH:MM local time`,
  });
const Zone = () =>
  Type.String({ minLength: 1, maxLength: 64, description: "an IANA time zone, e.g. Europe/Berlin" });
const Timestamp = () => Type.String({ format: "date-time" });
const Digest = Type.Union([Type.Literal("immediate"), Type.Literal("daily"), Type.Literal("weekly")], {
  description: "immediate: each email as it comes; daily or weekly: held for one digest at the digest time",
});
const QuietHours = Type.Object(
  {
    start: Clock("when quiet hours begin"),
    end: Clock("when they end (before start: the next day)"),
    weekends: Type.Boolean({ description: "true: all of Saturday and Sunday are quiet too" }),
  },
  { additionalProperties: false },
);
const OutOfOffice = Type.Object(
  { from: Timestamp(), until: Timestamp() },
  {
    additionalProperties: false,
    description: "emails wait until `until`; announced as okr.person.availability-changed.v1",
  },
);

export const PersonSettings = Type.Object(
  {
    email: Type.Optional(Type.Boolean({ description: "false: no emails (the in-app inbox is always on)" })),
    timeZone: Type.Optional(
      Type.Union([Zone(), Type.Null()], { description: "null: the zone goals has for the person" }),
    ),
    quietHours: Type.Optional(Type.Union([QuietHours, Type.Null()], { description: "null: none" })),
    outOfOffice: Type.Optional(Type.Union([OutOfOffice, Type.Null()])),
    digest: Type.Optional(Digest),
  },
  {
    additionalProperties: false,
    description: "A person's choices; a field left out follows the organization's defaults.",
  },
);

export const TenantSettings = Type.Object(
  {
    email: Type.Optional(Type.Boolean()),
    timeZone: Type.Optional(Zone()),
    quietHours: Type.Optional(Type.Union([QuietHours, Type.Null()])),
    digest: Type.Optional(Digest),
    digestTime: Type.Optional(Clock("when digests are built (default 08:00)")),
    digestWeekday: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 7,
        description: "weekly digests' day, 1 Monday (default) to 7 Sunday",
      }),
    ),
  },
  { additionalProperties: false, description: "The organization's defaults (admins)." },
);

export const EffectivePreferences = Type.Object({
  email: Type.Boolean(),
  timeZone: Zone(),
  quietHours: Type.Union([QuietHours, Type.Null()]),
  outOfOffice: Type.Union([OutOfOffice, Type.Null()]),
  digest: Digest,
  digestTime: Clock("when digests are built"),
  digestWeekday: Type.Integer({ minimum: 1, maximum: 7 }),
});

export const PersonPreferences = Type.Object({
  settings: PersonSettings,
  effective: EffectivePreferences,
});
