import type {
  CarryForwardRefusal,
  CycleActivities,
  CycleCalendar,
  GradingSummary,
  ReminderRequest,
  RetrospectiveSummary,
  TeamRef,
} from "@okr/cycle-workflows";
import { createEvent, type EventDefinition, ObjectiveAtRisk, ReminderDue } from "@okr/events";
import { envelopeMessage, type MessageProducer, type OutgoingMessage } from "@okr/messaging";
import { currentTraceparent } from "@okr/telemetry";
import { ApplicationFailure } from "@temporalio/common";
import { carryObjectiveForward, type ObjectiveView } from "./carry-forward.ts";
import { deterministicEventId } from "./event-ids.ts";
import type { ServiceCaller } from "./http.ts";
import { checkInDueTimes } from "./schedule.ts";

const PAGE = 500;
const MAX_LESSONS = 200;

/** A cycle as goals' API shows it: the workflow's calendar is this and the organization's mission. */
type Cycle = Omit<CycleCalendar, "mission">;

interface FinalGrading {
  organizationScore: number | null;
  complete: boolean;
  objectives: {
    objectiveId: string;
    kind: "committed" | "aspirational";
    score: number;
    expectationMet: boolean;
    keyResults?: { keyResultId?: string; id?: string; score?: number }[];
  }[];
  checkInDiscipline: { keyResults: number; withCheckIns: number; checkInsTotal: number };
}

export interface ActivityDependencies {
  goals: ServiceCaller;
  scoring: ServiceCaller;
  producer: MessageProducer;
  /** Defaults to the system clock; event times only. */
  now?: () => Date;
}

/**
 * The cycle worker's activities: plain functions over the goals and scoring HTTP APIs and Kafka. Each is
 * safe to retry: writes carry an Idempotency-Key, events a deterministic id.
 */
export function createCycleActivities(deps: ActivityDependencies): CycleActivities {
  const { goals, scoring } = deps;
  const now = deps.now ?? (() => new Date());

  async function publish<Data>(
    definition: EventDefinition,
    tenant: string,
    events: { id: string; data: Data }[],
  ): Promise<number> {
    if (events.length === 0) return 0;
    const traceparent = currentTraceparent();
    const messages: OutgoingMessage[] = events.map(({ id, data }) => {
      const envelope = createEvent(definition, data as never, {
        tenant,
        id,
        time: now(),
        ...(traceparent ? { traceparent } : {}),
      });
      return envelopeMessage(definition.topic, envelope, traceparent);
    });
    await deps.producer.send(messages);
    return messages.length;
  }

  const publishReminders = (
    organizationId: string,
    cycleId: string,
    workflowId: string,
    reminders: ReminderRequest[],
  ) =>
    publish(
      ReminderDue,
      organizationId,
      reminders.map((reminder) => ({
        id: deterministicEventId(workflowId, reminder.key),
        data: {
          cycleId,
          phase: reminder.phase,
          action: reminder.action,
          recipient: reminder.recipient,
          dueAt: reminder.dueAt,
          escalation: reminder.escalation,
          message: reminder.message.slice(0, 1000),
          ...(reminder.teamId ? { teamId: reminder.teamId } : {}),
        },
      })),
    );

  async function* pages<T>(tenant: string, path: string): AsyncGenerator<T[]> {
    let cursor: string | null = null;
    do {
      const separator = path.includes("?") ? "&" : "?";
      const url: string = `${path}${separator}limit=${PAGE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
      const response: { body: { items: T[]; nextCursor: string | null } } = await goals.call(
        tenant,
        "GET",
        url,
      );
      yield response.body.items;
      cursor = response.body.nextCursor;
    } while (cursor);
  }

  return {
    async loadCycle({ organizationId, cycleId }): Promise<CycleCalendar> {
      const [cycle, organization] = await Promise.all([
        goals.call<Cycle>(organizationId, "GET", `/cycles/${cycleId}`),
        goals.call<{ mission: string }>(organizationId, "GET", "/organization"),
      ]);
      const { id, name, startsAt, endsAt, timeZone, checkInCadence } = cycle.body;
      return { id, name, startsAt, endsAt, timeZone, checkInCadence, mission: organization.body.mission };
    },

    async listTeams({ organizationId, cursor }) {
      const path = `/teams?limit=${PAGE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
      const { body } = await goals.call<{
        items: (TeamRef & { memberIds?: string[] })[];
        nextCursor: string | null;
      }>(organizationId, "GET", path);
      return {
        items: body.items.map(({ id, name, parentTeamId, leaderIds }) => ({
          id,
          name,
          parentTeamId: parentTeamId ?? null,
          leaderIds,
        })),
        nextCursor: body.nextCursor,
      };
    },

    async setPhase({ organizationId, cycleId, phase }) {
      await goals.call(organizationId, "POST", `/cycles/${cycleId}/phase`, {
        body: { phase },
        idempotencyKey: `cycle-phase/${cycleId}/${phase}`,
      });
    },

    async planCheckIns({ calendar, from, until }) {
      return checkInDueTimes(calendar, new Date(from), new Date(until)).map((at) => at.toISOString());
    },

    async publishReminders({ organizationId, cycleId, workflowId, reminders }) {
      return publishReminders(organizationId, cycleId, workflowId, reminders);
    },

    async remindMissingCheckIns({ organizationId, cycleId, workflowId, since, dueAt }) {
      const { body } = await goals.call<{
        keyResults: {
          keyResultId: string;
          owner: { kind: "team" | "person"; id: string };
          missing: boolean;
        }[];
      }>(organizationId, "GET", `/cycles/${cycleId}/check-in-status?since=${encodeURIComponent(since)}`);
      const missing = body.keyResults.filter((kr) => kr.missing);
      // One reminder per owner, naming how many of their key results lack a check-in.
      const byOwner = new Map<string, { owner: { kind: "team" | "person"; id: string }; count: number }>();
      for (const kr of missing) {
        const key = `${kr.owner.kind}/${kr.owner.id}`;
        const entry = byOwner.get(key) ?? { owner: kr.owner, count: 0 };
        entry.count++;
        byOwner.set(key, entry);
      }
      const reminders: ReminderRequest[] = [...byOwner.entries()].map(([key, { owner, count }]) => ({
        key: `check-in/${dueAt}/${key}`,
        phase: "CHECK_INS",
        action: "check-in",
        recipient: owner,
        dueAt,
        escalation: false,
        ...(owner.kind === "team" ? { teamId: owner.id } : {}),
        message: `${count} key result${count === 1 ? "" : "s"} without a check-in since ${since}: record progress, confidence and evidence.`,
      }));
      const reminded = await publishReminders(organizationId, cycleId, workflowId, reminders);
      return { missing: missing.length, reminded };
    },

    async alertAtRisk({ organizationId, cycleId, workflowId, alreadyAlerted }) {
      const { body } = await scoring.call<{
        items: { objectiveId: string; score: number; expected: number; reasons: string[] }[];
      }>(organizationId, "GET", `/cycles/${cycleId}/at-risk`);
      const known = new Set(alreadyAlerted);
      const fresh = body.items.filter((item) => !known.has(item.objectiveId));
      const detectedAt = now().toISOString();
      await publish(
        ObjectiveAtRisk,
        organizationId,
        fresh.map((item) => ({
          id: deterministicEventId(workflowId, `at-risk/${item.objectiveId}`),
          data: {
            cycleId,
            objectiveId: item.objectiveId,
            score: clamp(item.score),
            expected: clamp(item.expected),
            reasons: item.reasons.slice(0, 20).map((reason) => reason.slice(0, 500)),
            detectedAt,
          },
        })),
      );
      return {
        atRisk: body.items.map((item) => item.objectiveId),
        alerted: fresh.map((item) => item.objectiveId),
      };
    },

    async approveObjectives({ organizationId, objectiveIds, actorId }) {
      for (const objectiveId of objectiveIds) {
        // Approving an approved objective is a no-op in goals (a retry, or a leader approved it in the
        // goals UI). 409: it is not submitted there (draft, returned or closed): goals' submit checks the
        // organization's policy and belongs to the team, so the worker leaves it as it is.
        await goals.call(organizationId, "POST", `/objectives/${objectiveId}/approve`, {
          body: { actorId },
          idempotencyKey: `objective-approve/${objectiveId}`,
          accept: [409],
        });
      }
    },

    async requestFinalGrades({ organizationId, cycleId, onlyIfComplete }): Promise<GradingSummary> {
      // Scoring's read model trails goals: naming the cycle's key results keeps a grading that has not
      // seen one of them yet from being frozen as complete.
      const expectedKeyResultIds = onlyIfComplete
        ? (
            await goals.call<{ keyResults: { keyResultId: string }[] }>(
              organizationId,
              "GET",
              `/cycles/${cycleId}/check-in-status`,
            )
          ).body.keyResults.map((kr) => kr.keyResultId)
        : [];
      const answer = await scoring.call<FinalGrading & { type?: string; detail?: string }>(
        organizationId,
        "POST",
        `/cycles/${cycleId}/final-grading`,
        { body: onlyIfComplete ? { onlyIfComplete, expectedKeyResultIds } : {}, accept: [404, 409] },
      );
      // Scoring learns the cycle and its phase from goals' events: right after the move to SCORING it may
      // not know either yet. Its lag is an outage to wait out, not data the cycle got wrong.
      if (answer.status === 404)
        throw ApplicationFailure.retryable(
          answer.body.detail ?? "scoring does not know the cycle yet",
          "NotYet",
        );
      if (answer.status === 409)
        throw answer.body.type?.endsWith("/cycle-not-in-scoring")
          ? ApplicationFailure.retryable(answer.body.detail ?? "not in SCORING yet", "ServiceUnavailable")
          : ApplicationFailure.nonRetryable(answer.body.detail ?? "final grading refused", "Conflict");
      const { body } = answer;
      const unfinished = body.objectives
        .filter((objective) => !objective.expectationMet)
        .flatMap((objective) =>
          (objective.keyResults ?? [])
            .filter((kr) => (kr.score ?? 0) < 1)
            .map((kr) => kr.keyResultId ?? kr.id)
            .filter((id): id is string => typeof id === "string"),
        );
      return {
        complete: body.complete,
        organizationScore: body.organizationScore,
        objectives: body.objectives.map(({ objectiveId, kind, score, expectationMet }) => ({
          objectiveId,
          kind,
          score,
          expectationMet,
        })),
        unfinishedKeyResultIds: [...new Set(unfinished)],
        checkInDiscipline: body.checkInDiscipline,
      };
    },

    async collectRetrospectives({ organizationId, cycleId }): Promise<RetrospectiveSummary> {
      const { body } = await goals.call<{
        items: { teamId: string; lessons: string; carryForwardKeyResultIds: string[] }[];
      }>(organizationId, "GET", `/cycles/${cycleId}/retrospectives`);
      return {
        teamIds: body.items.map((item) => item.teamId),
        lessons: body.items
          .map((item) => item.lessons.trim())
          .filter(Boolean)
          .slice(0, MAX_LESSONS),
        carryForwardKeyResultIds: [...new Set(body.items.flatMap((item) => item.carryForwardKeyResultIds))],
      };
    },

    async proposeNextCycle({ organizationId, cycleId, workflowId, carryForwardKeyResultIds }) {
      const { body: cycle } = await goals.call<Cycle>(organizationId, "GET", `/cycles/${cycleId}`);
      const next = nextCalendar(cycle);
      const created = await goals.call<Cycle & { type?: string }>(organizationId, "POST", "/cycles", {
        body: next,
        idempotencyKey: `${workflowId}/next-cycle`,
        accept: [409],
      });
      const nextCycleId =
        created.status === 409 ? await findCycleByName(organizationId, next.name) : created.body.id;
      // Draft objectives in the next cycle: each objective holding carried key results, with those key
      // results starting from where they ended. What goals refuses is reported, never a reason to stop.
      const carried = new Set(carryForwardKeyResultIds);
      let draftsCreated = 0;
      const refused: CarryForwardRefusal[] = [];
      for await (const objectives of pages<ObjectiveView>(organizationId, `/objectives?cycleId=${cycleId}`)) {
        for (const objective of objectives) {
          const keyResults = objective.keyResults.filter((kr) => carried.has(kr.id));
          if (keyResults.length === 0) continue;
          const outcome = await carryObjectiveForward(goals, {
            organizationId,
            workflowId,
            nextCycleId,
            fromCycleName: cycle.name,
            objective,
            keyResults,
          });
          if (outcome.draftId) draftsCreated++;
          if (outcome.refusal) refused.push(outcome.refusal);
        }
      }
      return { nextCycleId, draftsCreated, refused };
    },
  };

  async function findCycleByName(organizationId: string, name: string): Promise<string> {
    for await (const cycles of pages<Cycle>(organizationId, "/cycles")) {
      const found = cycles.find((cycle) => cycle.name === name);
      if (found) return found.id;
    }
    throw new Error(`the next cycle "${name}" exists but could not be found`);
  }
}

const clamp = (value: number) => Math.min(1, Math.max(0, value));

/** The next cycle's calendar: the same length, starting when this one ends; "Q4 2026" becomes "Q1 2027". */
export function nextCalendar(cycle: Cycle) {
  const startsAt = new Date(cycle.endsAt);
  const endsAt = new Date(startsAt.getTime() + (Date.parse(cycle.endsAt) - Date.parse(cycle.startsAt)));
  const quarter = /^(.*?)Q([1-4])(\s*)(\d{4})(.*)$/.exec(cycle.name);
  const name = quarter
    ? `${quarter[1]}Q${(Number(quarter[2]) % 4) + 1}${quarter[3]}${Number(quarter[4]) + (quarter[2] === "4" ? 1 : 0)}${quarter[5]}`
    : `${cycle.name} (next)`;
  return {
    name,
    startsAt: startsAt.toISOString(),
    endsAt: endsAt.toISOString(),
    timeZone: cycle.timeZone,
    checkInCadence: cycle.checkInCadence,
  };
}
