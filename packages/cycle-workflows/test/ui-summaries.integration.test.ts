import { waitFor } from "@okr/endpoints";
import type { Client } from "@temporalio/client";
import { describe, expect, it } from "vitest";
import { getCycleStatus, PHASES, teamObjectivesUpdate, workflowIds } from "../src/index.ts";
import { harnessForTests, startWorld, team, topLevelDraftingOpen } from "./harness.ts";

/** What the Temporal UI shows as a workflow's current details (the SDK's built-in metadata query). */
async function currentDetails(client: Client, workflowId: string): Promise<string> {
  const metadata = await client.workflow
    .getHandle(workflowId)
    .query<{ currentDetails?: string }>("__temporal_workflow_metadata");
  return metadata.currentDetails ?? "";
}

async function detailsMatching(client: Client, workflowId: string, pattern: RegExp): Promise<string> {
  return waitFor(`${workflowId} details matching ${pattern}`, async () => {
    const details = await currentDetails(client, workflowId);
    return pattern.test(details) ? details : undefined;
  });
}

describe("what ops see in the Temporal UI", () => {
  const h = harnessForTests();

  it("names the organization, cycle and team in the summaries; current details follow the phase and what each waits for", async () => {
    const root = team("Rocket Science", null);
    const { world } = await startWorld(h, [root], { incompleteGradings: 0 });
    const { organizationId, cycleId } = world;
    await h.startOneCycle(world, {
      cycleName: "FY27 Q1",
      organizationName: "Acme Rockets",
      durations: { checkInsSeconds: 600, checkInIntervalSeconds: 300 },
    });
    const programId = workflowIds.program(organizationId);
    const cycleWorkflowId = workflowIds.cycle(organizationId, cycleId);
    const teamWorkflowId = workflowIds.team(organizationId, cycleId, root.id);
    await topLevelDraftingOpen(h.client, world);

    const program = await h.client.workflow.getHandle(programId).describe();
    expect(await program.staticSummary()).toBe("OKR program · Acme Rockets");
    expect(await program.staticDetails()).toContain(organizationId);
    const cycle = await h.client.workflow.getHandle(cycleWorkflowId).describe();
    expect(await cycle.staticSummary()).toBe("OKR cycle FY27 Q1 · Acme Rockets");
    expect(await cycle.staticDetails()).toContain(cycleId);
    const drafting = await h.client.workflow.getHandle(teamWorkflowId).describe();
    expect(await drafting.staticSummary()).toBe("Team Rocket Science drafting · FY27 Q1 · Acme Rockets");
    expect(await drafting.staticDetails()).toContain(root.id);
    // Search attributes are still there beside the summaries.
    expect(drafting.typedSearchAttributes.getAll().map((pair) => pair.key.name)).toEqual(
      expect.arrayContaining(["OkrOrganization", "OkrCycle", "OkrPhase", "OkrTeam"]),
    );

    expect(await currentDetails(h.client, programId)).toMatch(/Running\*\* cycle FY27 Q1 of Acme Rockets/);
    expect(await detailsMatching(h.client, cycleWorkflowId, /^\*\*SETTING\*\*/)).toMatch(
      /cycle FY27 Q1 of Acme Rockets[\s\S]*waits for team drafting: 1 open, 0 waiting[\s\S]*Deadline: /,
    );
    expect(await currentDetails(h.client, teamWorkflowId)).toMatch(
      /^\*\*DRAFTING\*\* \(SETTING\) · team Rocket Science[\s\S]*waits for the leaders of team Rocket Science to submit objectives/,
    );

    const leader = root.leaderIds[0] as string;
    const ids = { organizationId, cycleId, teamId: root.id };
    await teamObjectivesUpdate(h.client, ids, "submit", { actorId: leader, objectiveIds: ["o"] });
    expect(await currentDetails(h.client, teamWorkflowId)).toMatch(
      /^\*\*SUBMITTED\*\*[\s\S]*waits for a leader of team Rocket Science or of its parent team to approve/,
    );
    await teamObjectivesUpdate(h.client, ids, "approve", { actorId: leader });

    // The phase shows first; the deadline follows once the phase's clock is set.
    expect(
      await detailsMatching(
        h.client,
        cycleWorkflowId,
        /^\*\*CHECK_INS\*\*[\s\S]*sends check-in reminders: \d+ of \d+ due times done[\s\S]*Deadline: /,
      ),
    ).toContain("cycle FY27 Q1 of Acme Rockets");
    const status = await getCycleStatus(h.client, organizationId, cycleId);
    expect(status.phase).toBe("CHECK_INS");
    expect(status.phaseLog.map((change) => change.phase)).toEqual(
      PHASES.slice(0, 3).flatMap((phase) => (phase === "CHECK_INS" ? [phase] : [phase, phase])),
    );
    await h.client.workflow.getHandle(programId).terminate("test done");
  }, 60_000);

  it("labels a run started without names (an older client) by its ids and the cycle calendar's name", async () => {
    const root = team("Company", null);
    const { world } = await startWorld(h, [root]);
    const { organizationId, cycleId } = world;
    await h.startOneCycle(world);
    await topLevelDraftingOpen(h.client, world);
    const programId = workflowIds.program(organizationId);
    const program = await h.client.workflow.getHandle(programId).describe();
    expect(await program.staticSummary()).toBe(`OKR program · ${organizationId}`);
    const cycle = await h.client.workflow.getHandle(workflowIds.cycle(organizationId, cycleId)).describe();
    expect(await cycle.staticSummary()).toBe(`OKR cycle ${cycleId} · ${organizationId}`);
    // The team drafting starts after the cycle loaded its calendar, so it has the cycle's name.
    const drafting = await h.client.workflow
      .getHandle(workflowIds.team(organizationId, cycleId, root.id))
      .describe();
    expect(await drafting.staticSummary()).toBe(
      `Team Company drafting · Q1 test quarter · ${organizationId}`,
    );
    expect(await currentDetails(h.client, workflowIds.cycle(organizationId, cycleId))).toMatch(
      `**SETTING** · cycle Q1 test quarter of ${organizationId}`,
    );
    await h.client.workflow.getHandle(programId).terminate("test done");
  }, 60_000);
  it("keeps naming the organization in the program's current details after it continued as new", async () => {
    const root = team("Company", null);
    const { world } = await startWorld(h, [root], { incompleteGradings: 0 });
    const { organizationId, cycleId } = world;
    await h.startOneCycle(world, {
      cycleName: "FY27 Q2",
      organizationName: "Acme Rockets",
      durations: {
        checkInsSeconds: 1,
        checkInIntervalSeconds: 1,
        scoringSeconds: 1,
        retrospectiveSeconds: 1,
      },
    });
    await topLevelDraftingOpen(h.client, world);
    const leader = root.leaderIds[0] as string;
    const ids = { organizationId, cycleId, teamId: root.id };
    await teamObjectivesUpdate(h.client, ids, "submit", { actorId: leader, objectiveIds: ["o"] });
    await teamObjectivesUpdate(h.client, ids, "approve", { actorId: leader });
    const cycleWorkflowId = workflowIds.cycle(organizationId, cycleId);
    await h.client.workflow.getHandle(cycleWorkflowId).result();
    expect(await currentDetails(h.client, cycleWorkflowId)).toMatch(
      /^\*\*CLOSED\*\* · cycle FY27 Q2 of Acme Rockets/,
    );

    const program = h.client.workflow.getHandle(workflowIds.program(organizationId));
    await waitFor(
      "the program to continue as new",
      async () =>
        (await program.fetchHistory()).events?.[0]?.workflowExecutionStartedEventAttributes
          ?.continuedExecutionRunId || undefined,
    );
    // Static metadata is not carried to the next run (the SDK's continue-as-new takes none): the
    // current details still name the organization.
    expect(await currentDetails(h.client, program.workflowId)).toBe(
      "**Waiting** for a cycle of Acme Rockets to run (signal `runCycle`).\n\nCycles run: 1.",
    );
    await program.terminate("test done");
  }, 60_000);
});
