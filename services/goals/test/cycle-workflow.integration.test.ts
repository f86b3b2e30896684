import { randomUUID } from "node:crypto";
import { type TeamRef, WORKFLOWS_PATH, workflowIds } from "@okr/cycle-workflows";
import { createRuntimeApp, type Role } from "@okr/service-kit";
import {
  connectTemporalClient,
  installTemporalRuntime,
  type RunningWorker,
  startWorker,
} from "@okr/temporal";
import {
  quietCycleActivities,
  startTestService,
  type TestService,
  testEndpoints,
  uniqueName,
  waitFor,
} from "@okr/testkit";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GoalsDb } from "../src/database.ts";
import { cycleWorkflowRoutes } from "../src/routes/cycle-workflow.ts";
import { goalsService } from "../src/service.ts";

/**
 * The cycle-run API on the real Temporal server: the routes start, query and steer real workflows run
 * by an in-test worker (its activities are plain functions over this test's team tree: the thing under
 * test is the HTTP mapping of workflow answers, including validator rejections as problem+json).
 */
describe("cycle runs API", () => {
  let goals: TestService<GoalsDb>;
  let app: FastifyInstance;
  let worker: RunningWorker | undefined;
  const taskQueue = uniqueName("okr-cycles-goals-test");
  const tenantId = randomUUID();
  // The goals team tree the in-test activities hand to the workflow (created in beforeAll).
  let rootLeader: string;
  let childLeader: string;
  let root: TeamRef;
  let child: TeamRef;
  let cycleId: string;

  const call = async (
    method: "GET" | "POST" | "PUT",
    url: string,
    roles: Role[],
    payload?: object,
    options: { subject?: string; tenant?: string; target?: FastifyInstance } = {},
  ) => {
    const token = await goals.token(roles, options.tenant ?? tenantId, options.subject ?? randomUUID());
    const response = await (options.target ?? app).inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}` },
      ...(payload ? { payload } : method === "POST" ? { payload: {} } : {}),
    });
    return { status: response.statusCode, body: response.json(), type: response.headers["content-type"] };
  };

  beforeAll(async () => {
    installTemporalRuntime("WARN");
    goals = await startTestService(goalsService, { KAFKA_CONSUMER_GROUP: uniqueName("goals-cycle-runs") });
    app = await createRuntimeApp(goals.runtime, {
      description: "cycle runs under test",
      routes: cycleWorkflowRoutes(goals.runtime, { taskQueue }),
    });
    await app.ready();
    const setup = { target: goals.app };
    const organization = await call(
      "PUT",
      "/organization",
      ["admin"],
      { name: "Acme", mission: "Ship value" },
      setup,
    );
    expect(organization.status).toBe(201);
    const leader = async (name: string) => {
      const person = await call(
        "POST",
        "/people",
        ["admin"],
        { name, email: `${name}-${randomUUID().slice(0, 8)}@example.com`, roles: ["leader"] },
        setup,
      );
      expect(person.status).toBe(201);
      return person.body.id as string;
    };
    rootLeader = await leader("ada");
    childLeader = await leader("grace");
    const team = async (name: string, leaderId: string, parentTeamId: string | null) => {
      const created = await call(
        "POST",
        "/teams",
        ["admin"],
        { name, leaderIds: [leaderId], ...(parentTeamId ? { parentTeamId } : {}) },
        setup,
      );
      expect(created.status).toBe(201);
      return { id: created.body.id, name, parentTeamId, leaderIds: [leaderId] } satisfies TeamRef;
    };
    root = await team("Company", rootLeader, null);
    child = await team("Product", childLeader, root.id);
    const cycle = await call(
      "POST",
      "/cycles",
      ["admin"],
      {
        name: "Q1 2027",
        startsAt: "2027-01-01T00:00:00.000Z",
        endsAt: "2027-04-01T00:00:00.000Z",
        timeZone: "Europe/Berlin",
      },
      setup,
    );
    expect(cycle.status).toBe(201);
    cycleId = cycle.body.id;

    const activities = quietCycleActivities(
      {
        id: cycleId,
        name: "Q1 2027",
        startsAt: "2027-01-01T00:00:00.000Z",
        endsAt: "2027-04-01T00:00:00.000Z",
        timeZone: "Europe/Berlin",
        checkInCadence: { weekday: 1, hour: 9, everyDays: 7 },
        mission: "Ship value",
      },
      [root, child],
    );
    const endpoints = testEndpoints();
    worker = await startWorker(
      { address: endpoints.TEMPORAL_ADDRESS, namespace: endpoints.TEMPORAL_NAMESPACE },
      { taskQueue, workflowsPath: WORKFLOWS_PATH, activities },
    );
  });

  afterAll(async () => {
    const client = await connectTemporalClient({
      address: goals.runtime.config.TEMPORAL_ADDRESS,
      namespace: goals.runtime.config.TEMPORAL_NAMESPACE,
    });
    await client.workflow
      .getHandle(workflowIds.program(tenantId))
      .terminate("test done")
      .catch(() => undefined);
    await worker?.stop();
    await app?.close();
    await goals?.stop();
  });

  it("starts, reports and steers a cycle run, answering rejected updates with the validator's reason", async () => {
    const run = `/cycles/${cycleId}/run`;
    expect((await call("POST", run, ["member"])).status).toBe(403);
    expect((await call("POST", `/cycles/${randomUUID()}/run`, ["admin"])).status).toBe(404);
    expect((await call("POST", run, ["admin"], { durations: { settingSeconds: -1 } })).status).toBe(400);
    // Another organization's cycle is unknown; a tenant without an organization starts no run at all.
    const otherTenant = randomUUID();
    expect((await call("POST", run, ["admin"], {}, { tenant: otherTenant })).status).toBe(409);
    await call(
      "PUT",
      "/organization",
      ["admin"],
      { name: "Other", mission: "Elsewhere" },
      { tenant: otherTenant, target: goals.app },
    );
    expect((await call("POST", run, ["admin"], {}, { tenant: otherTenant })).status).toBe(404);

    const started = await call("POST", run, ["admin"], {
      durations: { settingSeconds: 3_600 },
      continueWithNextCycle: false,
    });
    expect(started.status).toBe(202);
    expect(started.body).toEqual({
      cycleId,
      programWorkflowId: `okr-program/${tenantId}`,
      cycleWorkflowId: `okr-cycle/${tenantId}/${cycleId}`,
    });
    const status = await waitFor("the top-level drafting to open", async () => {
      const response = await call("GET", run, ["member"]);
      return response.status === 200 && response.body.teams.open === 1 ? response.body : undefined;
    });
    expect(status).toMatchObject({
      cycleId,
      phase: "SETTING",
      paused: false,
      teams: { total: 2, open: 1, waiting: 1 },
    });
    expect((await call("GET", run, ["admin"], undefined, { tenant: randomUUID() })).status).toBe(404);
    // The Temporal UI lists the runs by the organization's and the cycle's names, not bare ids.
    const temporal = await connectTemporalClient({
      address: goals.runtime.config.TEMPORAL_ADDRESS,
      namespace: goals.runtime.config.TEMPORAL_NAMESPACE,
    });
    const described = (workflowId: string) => temporal.workflow.getHandle(workflowId).describe();
    expect(await (await described(workflowIds.program(tenantId))).staticSummary()).toBe("OKR program · Acme");
    expect(await (await described(workflowIds.cycle(tenantId, cycleId))).staticSummary()).toBe(
      "OKR cycle Q1 2027 · Acme",
    );
    expect(await (await described(workflowIds.team(tenantId, cycleId, root.id))).staticSummary()).toBe(
      "Team Company drafting · Q1 2027 · Acme",
    );

    const teamPath = (team: TeamRef, action: string) => `/cycles/${cycleId}/teams/${team.id}/${action}`;
    const submitAsLeader = (team: TeamRef, body: object) =>
      call("POST", teamPath(team, "submit"), ["leader"], body, { subject: team.leaderIds[0] });
    const objective = async (team: TeamRef, title: string) => {
      const created = await call(
        "POST",
        "/objectives",
        ["admin"],
        {
          cycleId,
          title,
          kind: "committed",
          owner: { kind: "team", id: team.id },
          keyResults: [
            { title: `${title}: KR 1`, type: "increase-to", baseline: 0, target: 10, unit: "wins" },
            { title: `${title}: KR 2`, type: "increase-to", baseline: 0, target: 5, unit: "launches" },
          ],
        },
        { target: goals.app },
      );
      expect(created.status).toBe(201);
      return created.body as { id: string; keyResults: { id: string }[] };
    };
    const stateOf = async (objectiveId: string) =>
      (await call("GET", `/objectives/${objectiveId}`, ["member"], undefined, { target: goals.app })).body
        .state;
    const rootObjective = await objective(root, "Grow revenue");
    const objectiveId = rootObjective.id;
    const childObjective = await objective(child, "Ship faster");
    const unknownTeam = await call("POST", `/cycles/${cycleId}/teams/${randomUUID()}/submit`, ["leader"], {
      objectiveIds: [objectiveId],
    });
    expect(unknownTeam.status).toBe(422);
    expect(unknownTeam.body.type).toBe("https://okr-platform.dev/problems/unknown-team");
    expect(
      (await call("POST", teamPath(root, "submit"), ["member"], { objectiveIds: [objectiveId] })).status,
    ).toBe(403);
    // Only the team's own objectives of this cycle; adopted key results only from a parent team.
    const othersObjective = await submitAsLeader(root, { objectiveIds: [childObjective.id] });
    expect(othersObjective.status).toBe(422);
    expect(othersObjective.body.type).toBe("https://okr-platform.dev/problems/not-team-objective");
    expect((await submitAsLeader(root, { objectiveIds: [randomUUID()] })).status).toBe(404);
    const noParent = await submitAsLeader(root, { adoptedKeyResultIds: [childObjective.keyResults[0]?.id] });
    expect(noParent.status).toBe(422);
    expect(noParent.body.type).toBe("https://okr-platform.dev/problems/not-parent-key-result");
    // The organization's policy (three objectives per team, rejected below) applies as on a single
    // submit: the whole submission is refused and the workflow is still waiting for one.
    const belowPolicy = await submitAsLeader(root, { objectiveIds: [objectiveId] });
    expect(belowPolicy.status).toBe(422);
    expect(await stateOf(objectiveId)).toBe("draft");
    expect((await call("GET", run, ["member"])).body.teams).toMatchObject({ open: 1, approved: 0 });
    const relaxed = await call(
      "PUT",
      "/organization/policy",
      ["admin"],
      {
        objectivesPerOwner: { min: 1, max: 5, enforcement: "warn" },
        keyResultsPerObjective: { min: 2, max: 5, enforcement: "reject" },
        scoringPolicyId: "default",
        checkInCadence: { weekday: 1, hour: 9, everyDays: 7 },
      },
      { target: goals.app },
    );
    expect(relaxed.status).toBe(200);

    // Not open yet: 409 with the validator's reason, and the objective stays a draft in goals.
    const early = await submitAsLeader(child, { objectiveIds: [childObjective.id] });
    expect(early.status).toBe(409);
    expect(early.type).toContain("application/problem+json");
    expect(early.body).toMatchObject({ type: "https://okr-platform.dev/problems/wrong-phase" });
    expect(early.body.detail).toContain("has not opened");
    expect(await stateOf(childObjective.id)).toBe("draft");

    const submitted = await submitAsLeader(root, { objectiveIds: [objectiveId] });
    expect(submitted.status).toBe(200);
    expect(submitted.body).toMatchObject({
      teamId: root.id,
      state: "submitted",
      submittedBy: rootLeader,
      objectiveIds: [objectiveId],
    });
    expect(await stateOf(objectiveId)).toBe("submitted");
    // Each team's drafting as its workflow reports it: Company's has its submission (and the reminder
    // sent as it opened: the default two-day lead is longer than this hour of SETTING), Product's is not open.
    const teams = await call("GET", `${run}/teams`, ["member"]);
    expect(teams.status).toBe(200);
    expect(teams.body.nextCursor).toBeNull();
    const byName = Object.fromEntries(
      teams.body.items.map((item: { name: string }) => [item.name, item] as const),
    );
    expect(byName.Company).toMatchObject({
      teamId: root.id,
      parentTeamId: null,
      drafting: { state: "submitted", submittedBy: rootLeader, remindersSent: 1, escalated: false },
    });
    expect(byName.Product).toEqual({
      teamId: child.id,
      name: "Product",
      parentTeamId: root.id,
      drafting: null,
    });
    const firstPage = await call("GET", `${run}/teams?limit=1`, ["member"]);
    expect(firstPage.body.items).toHaveLength(1);
    const secondPage = await call("GET", `${run}/teams?limit=1&cursor=${firstPage.body.nextCursor}`, [
      "member",
    ]);
    expect(secondPage.body.items.map((item: { teamId: string }) => item.teamId)).not.toContain(
      firstPage.body.items[0].teamId,
    );
    expect((await call("GET", `/cycles/${randomUUID()}/run/teams`, ["member"])).status).toBe(404);
    // One team's drafting, as the team objectives and approvals pages ask for it.
    const oneTeam = await call("GET", teamPath(root, "drafting"), ["member"]);
    expect(oneTeam.status).toBe(200);
    expect(oneTeam.body).toEqual({ teamId: root.id, drafting: byName.Company.drafting });
    expect((await call("GET", teamPath(child, "drafting"), ["member"])).body).toEqual({
      teamId: child.id,
      drafting: null,
    });
    expect((await call("GET", `/cycles/${cycleId}/teams/${randomUUID()}/drafting`, ["member"])).status).toBe(
      404,
    );
    expect((await call("GET", `/cycles/${randomUUID()}/teams/${root.id}/drafting`, ["member"])).status).toBe(
      404,
    );
    expect((await call("GET", `${run}/teams?limit=0`, ["member"])).status).toBe(400);
    const notLeader = await call("POST", teamPath(root, "approve"), ["leader"], {}, { subject: childLeader });
    expect(notLeader.status).toBe(422);
    expect(notLeader.body).toMatchObject({ type: "https://okr-platform.dev/problems/not-leader" });
    expect(notLeader.body.detail).toContain("only leaders of team Company");

    // Admin steering.
    expect((await call("POST", `${run}/pause`, ["leader"])).status).toBe(403);
    const paused = await call("POST", `${run}/pause`, ["admin"], { reason: "offsite" });
    expect(paused.status).toBe(200);
    expect(paused.body).toMatchObject({ paused: true, pausedReason: "offsite" });
    const whilePaused = await call(
      "POST",
      teamPath(root, "approve"),
      ["leader"],
      {},
      { subject: rootLeader },
    );
    expect(whilePaused.status).toBe(409);
    expect(whilePaused.body.detail).toContain("paused");
    expect((await call("POST", `${run}/pause`, ["admin"])).status).toBe(409);
    expect((await call("POST", `${run}/extend-deadline`, ["admin"], { seconds: 0 })).status).toBe(400);
    const deadline = Date.parse(paused.body.deadline);
    const extended = await call("POST", `${run}/extend-deadline`, ["admin"], { seconds: 600 });
    expect(extended.status).toBe(200);
    expect(Date.parse(extended.body.deadline)).toBe(deadline + 600_000);
    expect((await call("POST", `${run}/resume`, ["admin"])).status).toBe(200);
    expect((await call("POST", `${run}/resume`, ["admin"])).status).toBe(409);

    const approved = await call("POST", teamPath(root, "approve"), ["leader"], {}, { subject: rootLeader });
    expect(approved.status).toBe(200);
    expect(approved.body.state).toBe("approved");
    await waitFor("CASCADE", async () => (await call("GET", run, ["member"])).body.phase === "CASCADE");
    // CASCADE: Product adopts a key result of Company's and submits its own objective with it.
    await waitFor("Product's drafting to open", async () => {
      const cascade = await submitAsLeader(child, {
        objectiveIds: [childObjective.id],
        adoptedKeyResultIds: [rootObjective.keyResults[0]?.id],
      });
      if (cascade.status === 409) return undefined;
      expect(cascade.status).toBe(200);
      return cascade.body;
    });
    expect(await stateOf(childObjective.id)).toBe("submitted");

    const stale = await call("POST", `${run}/advance`, ["admin"], { from: "SETTING" });
    expect(stale.status).toBe(409);
    expect(stale.body.detail).toBe("the cycle is in CASCADE, not SETTING");
    const advanced = await call("POST", `${run}/advance`, ["admin"], { from: "CASCADE" });
    expect(advanced.status).toBe(200);
    await waitFor("CHECK_INS", async () => (await call("GET", run, ["member"])).body.phase === "CHECK_INS");
    const after = await call("GET", run, ["member"]);
    expect(after.body.teams).toMatchObject({ approved: 1, closed: 1 });
  }, 90_000);
});
