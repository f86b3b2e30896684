import { mkdirSync, writeFileSync } from "node:fs";
import { waitFor } from "@okr/endpoints";
import { WorkflowExecutionAlreadyStartedError } from "@temporalio/client";
import { describe, expect, it } from "vitest";
import {
  type CycleResult,
  getCycleStatus,
  PHASES,
  type PhaseDurations,
  startCycleRun,
  type TeamRef,
  teamObjectivesUpdate,
  workflowIds,
} from "../src/index.ts";
import { harnessForTests, rejectionOf, startWorld, team, topLevelDraftingOpen } from "./harness.ts";
import { historyToJSON } from "./history-json.ts";

/** A quarter shortened to seconds. */
const QUARTER: PhaseDurations = {
  settingSeconds: 20,
  teamDraftingSeconds: 3,
  reminderLeadSeconds: 2,
  escalationGraceSeconds: 1,
  checkInsSeconds: 3,
  checkInIntervalSeconds: 1,
  scoringSeconds: 10,
  scoringPollSeconds: 0.5,
  retrospectiveSeconds: 10,
  retrospectivePollSeconds: 0.5,
};

describe("an OKR quarter on the real Temporal server", () => {
  const h = harnessForTests();

  it("runs SETTING -> CASCADE -> CHECK_INS -> SCORING -> RETROSPECTIVE -> CLOSED with each phase's effects", async () => {
    const root = team("Company", null);
    const product = team("Product", root);
    const sales = team("Sales", root);
    const checkout = team("Checkout squad", product);
    const { world, record } = await startWorld(h, [root, product, sales, checkout]);
    const { organizationId, cycleId } = world;
    const ids = (t: TeamRef) => ({ organizationId, cycleId, teamId: t.id });
    const leader = (t: TeamRef) => t.leaderIds[0] as string;

    await h.startOneCycle(world, { durations: QUARTER });
    const status = () => getCycleStatus(h.client, organizationId, cycleId);
    await topLevelDraftingOpen(h.client, world);

    // SETTING: invalid updates are rejected with reasons, the cycle keeps running.
    const notOpen = await rejectionOf(
      teamObjectivesUpdate(h.client, ids(checkout), "submit", {
        actorId: leader(checkout),
        objectiveIds: ["o-1"],
      }),
    );
    expect(notOpen.type).toBe("WrongPhase");
    expect(notOpen.message).toContain("has not opened");
    const unknown = await rejectionOf(
      teamObjectivesUpdate(
        h.client,
        { organizationId, cycleId, teamId: "00000000-0000-4000-8000-000000000000" },
        "submit",
        { actorId: leader(root), objectiveIds: ["o-1"] },
      ),
    );
    expect(unknown.type).toBe("UnknownTeam");
    const earlyApproval = await rejectionOf(
      teamObjectivesUpdate(h.client, ids(root), "approve", { actorId: leader(root) }),
    );
    expect(earlyApproval.type).toBe("InvalidState");
    const notLeaderSubmit = await rejectionOf(
      teamObjectivesUpdate(h.client, ids(root), "submit", { actorId: leader(sales), objectiveIds: ["o-1"] }),
    );
    expect(notLeaderSubmit.type).toBe("NotLeader");
    const empty = await rejectionOf(
      teamObjectivesUpdate(h.client, ids(root), "submit", { actorId: leader(root) }),
    );
    expect(empty.type).toBe("InvalidInput");

    const submitted = await teamObjectivesUpdate(h.client, ids(root), "submit", {
      actorId: leader(root),
      objectiveIds: ["company-objective-1", "company-objective-2"],
    });
    expect(submitted.state).toBe("submitted");
    const nonLeaderApproval = await rejectionOf(
      teamObjectivesUpdate(h.client, ids(root), "approve", { actorId: leader(product) }),
    );
    expect(nonLeaderApproval.type).toBe("NotLeader");
    expect(nonLeaderApproval.message).toContain("only leaders of team Company");
    const approved = await teamObjectivesUpdate(h.client, ids(root), "approve", { actorId: leader(root) });
    expect(approved.state).toBe("approved");
    expect((await status()).phase).not.toBe("CLOSED");

    // CASCADE: Product and Sales open once Company approved; Checkout opens when Product's drafting closes.
    await waitFor("CASCADE to open the second layer", async () => {
      const s = await status();
      return s.phase === "CASCADE" && s.teams.open === 2;
    });
    expect(record.approvals).toEqual([
      { objectiveIds: ["company-objective-1", "company-objective-2"], actorId: leader(root) },
    ]);
    const closedRoot = await rejectionOf(
      teamObjectivesUpdate(h.client, ids(root), "submit", { actorId: leader(root), objectiveIds: ["late"] }),
    );
    expect(closedRoot.type).toBe("WrongPhase");
    expect(closedRoot.message).toContain("is over (approved)");
    await teamObjectivesUpdate(h.client, ids(product), "submit", {
      actorId: leader(product),
      adoptedKeyResultIds: ["company-kr-1"],
    });
    // The parent team's leader approves.
    await teamObjectivesUpdate(h.client, ids(product), "approve", { actorId: leader(root) });
    await waitFor("the third layer to open", async () =>
      (await status()).teams.approved === 2 ? (await status()).teams.open >= 1 : false,
    );
    await teamObjectivesUpdate(h.client, ids(checkout), "submit", {
      actorId: leader(checkout),
      objectiveIds: ["checkout-objective"],
    });
    await teamObjectivesUpdate(h.client, ids(checkout), "approve", { actorId: leader(checkout) });

    // Sales never submits: a reminder, then an escalation to Company's leader, then it closes as missed.
    await waitFor("CHECK_INS", async () => (await status()).phase === "CHECK_INS", 20_000);
    const salesWorkflow = workflowIds.team(organizationId, cycleId, sales.id);
    const salesReminders = record.remindersWhere((r) => r.workflowId === salesWorkflow);
    expect(salesReminders.map((r) => [r.action, r.escalation, r.recipient.id, r.teamId])).toEqual([
      ["draft-objectives", false, leader(sales), sales.id],
      ["draft-objectives", true, leader(root), sales.id],
    ]);
    const afterCascade = await status();
    expect(afterCascade.teams).toMatchObject({ total: 4, approved: 3, missed: 1, open: 0, waiting: 0 });

    // CHECK_INS: filterable by the phase search attribute.
    await waitFor("the search attribute OkrPhase = CHECK_INS", async () => {
      const found = [];
      for await (const execution of h.client.workflow.list({
        query: `OkrPhase = "CHECK_INS" AND OkrOrganization = "${organizationId}"`,
      }))
        found.push(execution.workflowId);
      return found.includes(workflowIds.cycle(organizationId, cycleId));
    });

    const handle = h.client.workflow.getHandle(workflowIds.cycle(organizationId, cycleId));
    const result = (await handle.result()) as CycleResult;

    // Every phase reached the goals service once, in order.
    expect(record.phases).toEqual([...PHASES]);
    // CHECK_INS: 3 ticks (each reminding the owners missing a check-in since the previous one), a
    // mid-cycle review to every team's leaders, one at-risk alert per objective.
    expect(result.status.checkIns).toMatchObject({
      due: 3,
      ticks: 3,
      atRiskAlerts: 1,
      midCycleReviewed: true,
    });
    expect(record.checkInTicks).toHaveLength(3);
    expect(record.checkInTicks[1]?.since).toBe(record.checkInTicks[0]?.dueAt);
    expect(record.remindersWhere((r) => r.action === "check-in")).toHaveLength(
      3 * world.missingOwners.length,
    );
    expect(
      record
        .remindersWhere((r) => r.action === "mid-cycle-review")
        .map((r) => `${r.teamId}/${r.recipient.id}`)
        .sort(),
    ).toEqual(world.teams.map((t) => `${t.id}/${leader(t)}`).sort());
    expect(record.atRiskAlerted).toEqual(world.atRisk);
    // SCORING: asked again until the grades were complete.
    expect(record.gradingCalls).toBe(2);
    // Both asked for complete grades only: the second answer was complete, so nothing froze early.
    expect(record.gradingOnlyIfComplete).toEqual([true, true]);
    expect(result.status.scoring).toEqual({ attempts: 2, complete: true, organizationScore: 0.64 });
    // RETROSPECTIVE: report and next cycle's drafts with unfinished key results carried forward.
    expect(record.proposals).toHaveLength(1);
    expect(record.proposals[0]?.carryForwardKeyResultIds).toEqual(["kr-chosen-by-team", "kr-unfinished"]);
    expect(result.report).toMatchObject({
      cycleId,
      organizationScore: 0.64,
      gradesComplete: true,
      committed: { objectives: 1, met: 0, meanScore: 0.8 },
      aspirational: { objectives: 1, met: 1, meanScore: 0.72 },
      checkInDiscipline: { keyResults: 4, withCheckIns: 3, checkInsTotal: 9, ratio: 0.75 },
      retrospectives: { teams: 4, submitted: 4 },
      lessons: ["Smaller key results get more check-ins"],
      nextCycleId: record.proposals[0]?.nextCycleId,
      draftsProposed: 2,
    });
    expect(result.status.phase).toBe("CLOSED");
    expect(result.status.phaseLog.filter((change) => change.reason === "start").map((c) => c.phase)).toEqual([
      ...PHASES,
    ]);

    // The program recorded the cycle and continued as new, idle until the next request.
    const program = h.client.workflow.getHandle(workflowIds.program(organizationId));
    const programStatus = await waitFor("the program to continue as new", async () => {
      const s = await program.query<{ cyclesRun: number; recent: { cycleId: string; outcome: string }[] }>(
        "programStatus",
      );
      return s.cyclesRun === 1 ? s : undefined;
    });
    expect(programStatus.recent).toMatchObject([{ cycleId, outcome: "closed" }]);
    // A repeated run request for a closed cycle is ignored.
    await startCycleRun(h.client, organizationId, { cycleId, durations: QUARTER }, h.taskQueue).catch(
      (error) => {
        if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      },
    );
    const afterRepeat = await program.query<{ pending: unknown[] }>("programStatus");
    expect(afterRepeat.pending).toEqual([]);

    // OKR_RECORD_HISTORIES=v2 records this run's histories as cycle-v2.json and so on.
    const version = process.env.OKR_RECORD_HISTORIES;
    if (version) {
      const dir = new URL("./histories/", import.meta.url);
      mkdirSync(dir, { recursive: true });
      for (const [name, workflowId] of [
        [`cycle-${version}`, workflowIds.cycle(organizationId, cycleId)],
        [`team-drafting-missed-${version}`, salesWorkflow],
        [`team-drafting-approved-${version}`, workflowIds.team(organizationId, cycleId, product.id)],
      ] as const) {
        const history = await h.client.workflow.getHandle(workflowId).fetchHistory();
        writeFileSync(new URL(`${name}.json`, dir), historyToJSON(history));
      }
    }
    await program.terminate("test done");
  }, 120_000);
});
