import { Type } from "typebox";
import { defineEvent } from "../registry.ts";
import { CyclePhase, Id, Text, Timestamp } from "./common.ts";

export const CYCLE_TOPICS = { notifications: "okr.cycle.notifications" } as const;

const producer = "cycle-worker";

export const ReminderDue = defineEvent({
  type: "okr.cycle.reminder-due.v1",
  topic: CYCLE_TOPICS.notifications,
  producer,
  summary:
    "Someone owes an action in a cycle (draft objectives, approve, check in, write the retrospective). Any notifier (mail, chat) can subscribe.",
  schema: Type.Object({
    cycleId: Id(),
    phase: CyclePhase(),
    action: Type.Union(
      ["draft-objectives", "approve-objectives", "check-in", "retrospective"].map((a) => Type.Literal(a)),
    ),
    recipient: Type.Object({ kind: Type.Union([Type.Literal("team"), Type.Literal("person")]), id: Id() }),
    dueAt: Timestamp(),
    escalation: Type.Boolean(),
    message: Text(1000),
  }),
  partitionKey: (data) => data.cycleId,
  subject: (data) => data.recipient.id,
});

export const cycleEvents = [ReminderDue] as const;
