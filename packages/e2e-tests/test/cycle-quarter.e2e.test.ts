import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { getCycleStatus, PHASES, type PhaseDurations, workflowIds } from "@okr/cycle-workflows";
import { CYCLE_TOPICS, GOALS_TOPICS, SCORING_TOPICS } from "@okr/events";
import { goalsService } from "@okr/goals-service/service";
import type { MessageConsumer } from "@okr/messaging";
import { scoringService } from "@okr/scoring-service/service";
import { startTestService, type TestService, testBus, uniqueName, waitFor } from "@okr/testkit";
import type { Client } from "@temporalio/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  currentCycle,
  leaderPerson,
  tenantCaller,
  warningOrganization,
  writeRetrospective,
} from "./support/api.ts";
import { type CycleWorker, startCycleWorker } from "./support/cycle-worker.ts";

/**
 * A whole OKR quarter, shortened to seconds, on the real stack: the cycle workflows on the Temporal dev
 * server with the cycle worker's real activities, which call the goals and scoring services over HTTP and
 * publish reminders to Kafka. Effects are asserted in the services' APIs and on the Kafka topics.
 */
const QUARTER: PhaseDurations = {
  settingSeconds: 8,
  teamDraftingSeconds: 4,
  reminderLeadSeconds: 2,
  escalationGraceSeconds: 1,
  checkInsSeconds: 6,
  checkInIntervalSeconds: 3,
  scoringSeconds: 4,
  scoringPollSeconds: 1,
  retrospectiveSeconds: 6,
  retrospectivePollSeconds: 1,
};

const tenantId = randomUUID();
const adminId = randomUUID();

interface Envelope {
  type: string;
  tenant: string;
  data: Record<string, unknown> & { cycleId?: string };
}

let goals: TestService<unknown>;
let scoring: TestService<unknown>;
let client: Client;
let cycleWorker: CycleWorker | undefined;
let reader: MessageConsumer | undefined;
const seen: Envelope[] = [];

beforeAll(async () => {
  [goals, scoring] = await Promise.all([startTestService(goalsService), startTestService(scoringService)]);

  // Everything this tenant's quarter puts on the three topics, read by one consumer from the start.
  const bus = testBus();
  const topics = [GOALS_TOPICS.cycles, CYCLE_TOPICS.notifications, SCORING_TOPICS.scores];
  await bus.ensureTopics(topics);
  reader = bus.consumer(uniqueName("cycle-quarter-reader"));
  await reader.connect();
  await reader.subscribe(topics, { fromBeginning: true });
  await reader.run({
    eachMessage: async (message) => {
      const envelope = JSON.parse(message.value?.toString() ?? "{}") as Envelope;
      if (envelope.tenant === tenantId) seen.push(envelope);
    },
  });

  cycleWorker = await startCycleWorker({ goals, scoring, taskQueue });
  client = cycleWorker.client;
});

afterAll(async () => {
  await cycleWorker?.stop();
  await reader?.disconnect();
  await Promise.all([goals?.stop(), scoring?.stop()]);
});

const taskQueue = uniqueName("okr-cycles-e2e");

const call = tenantCaller(tenantId, adminId);
const goalsCall = (method: "GET" | "POST" | "PUT", url: string, payload?: object) =>
  call(goals, method, url, payload);
const asLeader = (leaderId: string) => ({ roles: ["leader" as const], subject: leaderId });

const events = (type: string, cycleId: string) =>
  seen.filter((event) => event.type === type && event.data.cycleId === cycleId);

describe("an OKR quarter through the real services and cycle worker", () => {
  it("runs SETTING to CLOSED (drafting, check-ins, reminders, final grades, retrospectives), then the next quarter with carried-forward drafts", async () => {
    // A small quarter: one objective with one key result per team is allowed (with a warning).
    await warningOrganization(call, goals, "Quarter E2E", {
      objectives: { min: 3, max: 5 },
      keyResults: { min: 2, max: 5 },
    });
    const person = (name: string) => leaderPerson(call, goals, name);
    const [ceo, productLead, salesLead] = await Promise.all([
      person("Ada"),
      person("Grace"),
      person("Linus"),
    ]);
    const company = await goalsCall("POST", "/teams", { name: "Company", leaderIds: [ceo.id] });
    const [product] = await Promise.all([
      goalsCall("POST", "/teams", { name: "Product", parentTeamId: company.id, leaderIds: [productLead.id] }),
      goalsCall("POST", "/teams", { name: "Sales", parentTeamId: company.id, leaderIds: [salesLead.id] }),
    ]);
    const cycle = await currentCycle(call, goals, "Q4 2026 e2e");
    const cycleId: string = cycle.id;
    const objective = (owner: { id: string }, title: string, kr: object) =>
      goalsCall("POST", "/objectives", {
        cycleId,
        title,
        kind: "committed",
        owner: { kind: "team", id: owner.id },
        keyResults: [kr],
      });
    const companyObjective = await objective(company, "Grow revenue", {
      title: "Reach 100 paying customers",
      type: "increase-to",
      baseline: 0,
      target: 100,
      unit: "customers",
    });
    const productObjective = await objective(product, "Ship faster", {
      title: "Cut lead time",
      type: "decrease-to",
      baseline: 20,
      target: 5,
      unit: "days",
    });

    // The goals API would start the run on the default task queue; this test's worker polls its own.
    const run = await cycleWorker!.startRun(tenantId, {
      cycleId,
      durations: QUARTER,
      continueWithNextCycle: true,
    });
    expect(run.cycleWorkflowId).toBe(workflowIds.cycle(tenantId, cycleId));
    const { status } = run;
    await waitFor("Company's drafting to open", async () => (await status()).teams.open === 1);

    // SETTING: the team's submission and approval go through the goals routes to the workflow (updates):
    // the submission moves the objective to submitted in goals, the worker then approves it there.
    const submitted = await call(
      goals,
      "POST",
      `/cycles/${cycleId}/teams/${company.id}/submit`,
      { objectiveIds: [companyObjective.id] },
      asLeader(ceo.id),
    );
    expect(submitted).toMatchObject({ teamId: company.id, state: "submitted", submittedBy: ceo.id });
    expect((await goalsCall("GET", `/objectives/${companyObjective.id}`)).state).toBe("submitted");
    const approved = await call(
      goals,
      "POST",
      `/cycles/${cycleId}/teams/${company.id}/approve`,
      {},
      asLeader(ceo.id),
    );
    expect(approved).toMatchObject({ state: "approved", approvedBy: ceo.id });

    // CASCADE: Product submits, Company's leader approves; Sales never drafts.
    await waitFor("CASCADE to open Product and Sales", async () => {
      const s = await status();
      return s.phase === "CASCADE" && s.teams.open === 2;
    });
    await call(
      goals,
      "POST",
      `/cycles/${cycleId}/teams/${product.id}/submit`,
      { objectiveIds: [productObjective.id] },
      asLeader(productLead.id),
    );
    await call(goals, "POST", `/cycles/${cycleId}/teams/${product.id}/approve`, {}, asLeader(ceo.id));

    // CHECK_INS: Company checks in within the first check-in interval, Product does not.
    const checkInsFrom = await waitFor(
      "CHECK_INS",
      async () => (await status()).phaseLog.find((change) => change.phase === "CHECK_INS")?.at,
      20_000,
    );
    await sleep(Math.max(0, Date.parse(checkInsFrom) + 1_200 - Date.now()));
    await goalsCall("POST", `/key-results/${companyObjective.keyResults[0].id}/check-ins`, {
      value: 60,
      confidence: 0.8,
      note: "two enterprise deals closed",
      evidence: { url: "https://crm.example/customers" },
    });

    // RETROSPECTIVE: Company's leader writes the team's retrospective.
    await waitFor("RETROSPECTIVE", async () => (await status()).phase === "RETROSPECTIVE", 40_000);
    await writeRetrospective(call, goals, cycleId, ceo.id, {
      teamId: company.id,
      wentWell: "enterprise deals",
      didNotGoWell: "onboarding",
      lessons: "Smaller key results get more check-ins",
      carryForwardKeyResultIds: [],
    });

    const result = await run.result();
    expect(result.status.phase).toBe("CLOSED");
    expect((await status()).phase).toBe("CLOSED");
    expect(result.status.teams).toMatchObject({ total: 3, approved: 2, missed: 1, open: 0 });
    // Product's key result never got a check-in: its grade stays incomplete, so SCORING used its whole
    // window before moving on.
    expect(result.report).toMatchObject({ cycleId, gradesComplete: false, retrospectives: { submitted: 1 } });
    expect(result.report.lessons).toContain("Smaller key results get more check-ins");

    // Goals: the cycle is CLOSED, and each phase was announced on Kafka.
    expect(await goalsCall("GET", `/cycles/${cycleId}`)).toMatchObject({ id: cycleId, phase: "CLOSED" });
    // The approvals in the workflow reached the objectives in goals (the approveObjectives activity).
    for (const { id } of [companyObjective, productObjective])
      expect(await goalsCall("GET", `/objectives/${id}`)).toMatchObject({ id, state: "approved" });
    const phases = await waitFor("the phase changes on Kafka", () => {
      const found = events("okr.cycle.phase-changed.v1", cycleId).map((event) => event.data.phase);
      return found.includes("CLOSED") ? found : undefined;
    });
    expect(phases).toEqual([...PHASES]);

    // Reminders on Kafka: Sales was reminded to draft (then its parent's leader), Product to check in.
    const reminders = await waitFor("the reminders on Kafka", () => {
      const found = events("okr.cycle.reminder-due.v1", cycleId);
      return found.some((r) => r.data.action === "check-in") ? found : undefined;
    });
    const about = (action: string) =>
      reminders
        .filter((r) => r.data.action === action)
        .map((r) => [(r.data.recipient as { id: string }).id, r.data.escalation]);
    expect(about("draft-objectives")).toEqual(
      expect.arrayContaining([
        [salesLead.id, false],
        [ceo.id, true],
      ]),
    );
    // The first check-in tick reminds Product (no check-in since CHECK_INS began), not Company.
    const checkInReminders = reminders.filter((r) => r.data.action === "check-in");
    const firstTick = checkInReminders.map((r) => String(r.data.dueAt)).sort()[0];
    expect(checkInReminders.filter((r) => r.data.dueAt === firstTick).map((r) => r.data.recipient)).toEqual([
      { kind: "team", id: product.id },
    ]);

    // Scoring: the final grades were frozen, announced on Kafka and served as the report.
    const graded = await waitFor("okr.cycle.graded.v1 on Kafka", () =>
      events("okr.cycle.graded.v1", cycleId).at(0),
    );
    expect(graded.data).toMatchObject({ cycleId, objectivesGraded: 2 });
    const report = await call(scoring, "POST", `/cycles/${cycleId}/final-grading`, {});
    expect(report).toMatchObject({ complete: false });
    expect(report.objectives.map((o: { objectiveId: string }) => o.objectiveId).sort()).toEqual(
      [companyObjective.id, productObjective.id].sort(),
    );
    expect(result.report.organizationScore).toBe(report.organizationScore);

    // RETROSPECTIVE proposed the next quarter in goals: the cycle after this one, with draft objectives
    // carrying the unfinished key results forward from where they ended.
    const nextCycleId = result.report.nextCycleId as string;
    const nextCycle = await goalsCall("GET", `/cycles/${nextCycleId}`);
    expect(nextCycle).toMatchObject({ phase: "SETTING", timeZone: "Europe/Berlin" });
    expect(Date.parse(nextCycle.startsAt)).toBe(Date.parse(cycle.endsAt));
    const drafts = (await goalsCall("GET", `/objectives?cycleId=${nextCycleId}`)).items;
    expect(drafts).toHaveLength(result.report.draftsProposed);
    const companyDraft = drafts.find((draft: { owner: { id: string } }) => draft.owner.id === company.id);
    expect(companyDraft).toMatchObject({ state: "draft", title: "Grow revenue", kind: "committed" });
    expect(companyDraft.keyResults).toEqual([
      expect.objectContaining({ title: "Reach 100 paying customers", baseline: 60, target: 100 }),
    ]);

    // ...and the organization's program moved on to it: the next cycle runs and opens Company's drafting.
    const next = await waitFor("the next cycle's run to open drafting", async () => {
      const nextStatus = await getCycleStatus(client, tenantId, nextCycleId).catch(() => undefined);
      return nextStatus?.phase === "SETTING" && nextStatus.teams.open === 1 ? nextStatus : undefined;
    });
    expect(next).toMatchObject({ cycleId: nextCycleId, teams: { total: 3 } });
    await client.workflow.getHandle(workflowIds.program(tenantId)).terminate("test done");
    await client.workflow.getHandle(workflowIds.cycle(tenantId, nextCycleId)).terminate("test done");
  });
});
