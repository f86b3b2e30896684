import { Type } from "typebox";
import { defineEvent } from "../registry.ts";
import { Id, keyedBy, Nullable, Timestamp } from "./common.ts";

export const NOTIFIER_TOPICS = { availability: "okr.notifier.availability" } as const;

const producer = "notifier";

export const PersonAvailabilityChanged = defineEvent({
  type: "okr.person.availability-changed.v1",
  topic: NOTIFIER_TOPICS.availability,
  producer,
  summary:
    "A person set, changed or cleared their out-of-office period in their notification preferences: the whole current period (`outOfOffice` null: none). While it lasts the notifier holds their emails; a reminder workflow can skip or redirect reminders to someone away, e.g. to their manager.",
  schema: Type.Object({
    personId: Id(),
    outOfOffice: Nullable(Type.Object({ from: Timestamp(), until: Timestamp() })),
    changedAt: Timestamp(),
  }),
  ...keyedBy("personId"),
});

export const notifierEvents = [PersonAvailabilityChanged] as const;
