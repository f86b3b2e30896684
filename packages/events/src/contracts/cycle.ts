import { Type } from "typebox";
import { defineEvent } from "../registry.ts";
import { CyclePhase, Id, keyedBy, Score, Text, Timestamp } from "./common.ts";

export const CYCLE_TOPICS = { notifications: "okr.cycle.notifications" } as const;

const producer = "cycle-worker";

export const ReminderDue = defineEvent({
  type: "okr.cycle.reminder-due.v1",
  topic: CYCLE_TOPICS.notifications,
  producer,
  summary:
    "Someone owes an action in a cycle (draft objectives, approve, check in, hold the mid-cycle review, write the retrospective). `escalation` marks a missed deadline sent up to the parent team's leaders. `teamId` (optional, so v1 readers and older events stay valid) names the team the action is about: the team drafting or whose submission awaits approval, the team to review or to write the retrospective of, the team owning the key results to check in on. The event id is derived from the workflow and the reminder, so a retried publish is a duplicate idempotent consumers drop. Any notifier (mail, chat) can subscribe.",
  schema: Type.Object({
    cycleId: Id(),
    phase: CyclePhase(),
    action: Type.Union(
      ["draft-objectives", "approve-objectives", "check-in", "mid-cycle-review", "retrospective"].map((a) =>
        Type.Literal(a),
      ),
    ),
    recipient: Type.Object({ kind: Type.Union([Type.Literal("team"), Type.Literal("person")]), id: Id() }),
    dueAt: Timestamp(),
    escalation: Type.Boolean(),
    message: Text(1000),
    teamId: Type.Optional(Id()),
  }),
  partitionKey: (data) => data.cycleId,
  subject: (data) => data.recipient.id,
});

export const ObjectiveAtRisk = defineEvent({
  type: "okr.cycle.objective-at-risk.v1",
  topic: CYCLE_TOPICS.notifications,
  producer,
  summary:
    "During CHECK_INS the scoring service's pacing puts an objective behind where it should be by now (sent once per objective and cycle). Notifiers alert its owner.",
  schema: Type.Object({
    cycleId: Id(),
    objectiveId: Id(),
    score: Score(),
    expected: Score(),
    reasons: Type.Array(Text(500), { maxItems: 20 }),
    detectedAt: Timestamp(),
  }),
  ...keyedBy("cycleId", "objectiveId"),
});

export const cycleEvents = [ReminderDue, ObjectiveAtRisk] as const;
