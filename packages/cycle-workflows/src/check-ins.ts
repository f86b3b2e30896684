import { log, proxyActivities } from "@temporalio/workflow";
import type { CycleActivities, CycleCalendar, CycleRef, ReminderRequest } from "./activities.ts";
import type { CheckInCounts, PhaseChange, PhaseDurations } from "./api.ts";
import type { PhaseClock } from "./clock.ts";
import { ACTIVITY_OPTIONS } from "./retry.ts";

const activities = proxyActivities<CycleActivities>(ACTIVITY_OPTIONS);

const iso = (at: number) => new Date(at).toISOString();

/**
 * CHECK_INS: on each due time of the cadence, remind the owners of key results without a check-in
 * since the previous one and alert on objectives the scoring service finds behind pace (each objective
 * once per cycle); at the midpoint, ask every team's leaders for a mid-cycle review. Ends at the cycle's
 * end (or the shortened length), or when an admin advances.
 */
export async function runCheckIns(context: {
  ref: CycleRef;
  workflowId: string;
  calendar: CycleCalendar;
  durations: PhaseDurations;
  clock: PhaseClock;
  counts: CheckInCounts;
  midCycleReminders: () => ReminderRequest[];
  remind: (reminders: ReminderRequest[]) => Promise<number>;
  advanceRequested: () => boolean;
}): Promise<PhaseChange["reason"]> {
  const { ref, workflowId, calendar, durations, clock, counts } = context;
  const from = Date.now();
  const until =
    durations.checkInsSeconds !== undefined
      ? from + durations.checkInsSeconds * 1000
      : Math.max(from, Date.parse(calendar.endsAt));
  clock.deadlineAt = until;
  const interval = durations.checkInIntervalSeconds;
  const dueTimes = interval
    ? Array.from(
        { length: Math.floor((until - from) / (interval * 1000)) },
        (_, i) => from + (i + 1) * interval * 1000,
      )
    : (await activities.planCheckIns({ calendar, from: iso(from), until: iso(until) })).map((at) =>
        Date.parse(at),
      );
  counts.due = dueTimes.length;
  const timeline = [
    ...dueTimes.map((at) => ({ at, kind: "check-in" as const })),
    { at: from + (until - from) / 2, kind: "review" as const },
  ].sort((a, b) => a.at - b.at || (a.kind === "check-in" ? -1 : 1));

  const alerted: string[] = [];
  const shiftAtStart = clock.shiftMs;
  let since = from;
  for (const event of timeline) {
    const outcome = await clock.until(
      () => event.at + clock.shiftMs - shiftAtStart,
      () => false,
      context.advanceRequested,
    );
    if (outcome === "interrupted") return "admin";
    if (event.kind === "review") {
      counts.remindersSent += await context.remind(context.midCycleReminders());
      counts.midCycleReviewed = true;
      continue;
    }
    try {
      const missing = await activities.remindMissingCheckIns({
        ...ref,
        workflowId,
        since: iso(since),
        dueAt: iso(event.at),
      });
      counts.remindersSent += missing.reminded;
    } catch (error) {
      log.warn("check-in reminders not sent", { dueAt: iso(event.at), error: String(error) });
    }
    try {
      const risk = await activities.alertAtRisk({ ...ref, workflowId, alreadyAlerted: [...alerted] });
      alerted.push(...risk.alerted);
      counts.atRiskAlerts += risk.alerted.length;
    } catch (error) {
      log.warn("at-risk alerts not sent", { dueAt: iso(event.at), error: String(error) });
    }
    counts.ticks++;
    since = event.at;
  }
  const end = await clock.until(
    () => clock.deadlineAt,
    () => false,
    context.advanceRequested,
  );
  return end === "interrupted" ? "admin" : "deadline";
}
