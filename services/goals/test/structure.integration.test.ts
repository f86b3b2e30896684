import { randomUUID } from "node:crypto";
import { GOALS_TOPICS } from "@okr/events";
import { findMessage } from "@okr/testkit";
import { describe, expect, it } from "vitest";
import { advance, draftObjective, startGoalsWithOrganizations } from "./support.ts";

const { service, orgs } = await startGoalsWithOrganizations(["Acme"]);
const [org] = orgs;

describe("teams, people and cycles", () => {
  it("lists the team tree with leaders and members, paginated", async () => {
    const first = await org.member.get("/teams?limit=2");
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(2);
    expect(first.body.items[0]).toEqual({
      id: org.rootTeamId,
      name: "Acme leadership",
      parentTeamId: null,
      leaderIds: [org.leader.subject],
      memberIds: [],
    });
    const rest = await org.member.get(`/teams?limit=1000&cursor=${first.body.nextCursor}`);
    expect(rest.body).toMatchObject({
      items: [{ id: org.otherTeamId, parentTeamId: org.rootTeamId }],
      nextCursor: null,
    });
    const event = await findMessage(GOALS_TOPICS.teams, (m) => m.key === org.teamId);
    expect(JSON.parse(event.value?.toString() ?? "{}").data).toMatchObject({
      name: "Platform",
      parentTeamId: org.rootTeamId,
    });
  });

  it("lets only admins manage structure, and keeps the tree a tree", async () => {
    expect((await org.leader.post("/teams", { name: "Shadow team" })).status).toBe(403);
    expect(
      (await org.member.post("/people", { name: "X", email: "x@example.com", roles: ["member"] })).status,
    ).toBe(403);
    const loop = await org.admin.patch(`/teams/${org.rootTeamId}`, { parentTeamId: org.teamId });
    expect(loop.status).toBe(422);
    expect(loop.body.detail).toMatch(/loop/);
    const moved = await org.admin.patch(`/teams/${org.otherTeamId}`, {
      parentTeamId: org.teamId,
      leaderIds: [org.outsider.subject],
      memberIds: [],
    });
    expect(moved.body).toMatchObject({
      parentTeamId: org.teamId,
      leaderIds: [org.outsider.subject],
      memberIds: [],
    });
  });

  it("serves the cycle contract and moves phases forward only, idempotently", async () => {
    const cycle = await org.member.get(`/cycles/${org.cycleId}`);
    expect(cycle.body).toMatchObject({
      id: org.cycleId,
      timeZone: "Europe/Berlin",
      checkInCadence: { weekday: 1, hour: 9, everyDays: 7 },
      phase: "SETTING",
      locked: false,
    });
    expect((await advance(org, "CASCADE")).phase).toBe("CASCADE");
    const again = await org.admin.post(`/cycles/${org.cycleId}/phase`, { phase: "CASCADE" });
    expect(again).toMatchObject({ status: 200, body: { phase: "CASCADE" } });
    const worker = org.admin.as(["service"], "cycle-worker");
    expect((await worker.post(`/cycles/${org.cycleId}/phase`, { phase: "CHECK_INS" })).body.phase).toBe(
      "CHECK_INS",
    );
  });

  it("honours Idempotency-Key on POST: a retried create returns the first answer and writes once", async () => {
    const body = {
      cycleId: org.cycleId,
      title: "Retried",
      kind: "committed",
      owner: { kind: "team", id: org.teamId },
    };
    const key = randomUUID();
    const first = await org.member.post("/objectives", body, { "idempotency-key": key });
    const retry = await org.member.post("/objectives", body, { "idempotency-key": key });
    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.body.id).toBe(first.body.id);
    expect(
      await service.runtime.db.objective.count({ where: { title: "Retried", tenantId: org.admin.tenantId } }),
    ).toBe(1);
  });
});

describe("retrospectives", () => {
  it("records a team's retrospective with carry-forward proposals and publishes it", async () => {
    const objective = await draftObjective(org, { title: "Retro subject", kind: "aspirational" });
    const kr = objective.keyResults[0].id;
    const body = {
      teamId: org.teamId,
      wentWell: "Smaller batches",
      didNotGoWell: "Too much WIP",
      lessons: "Limit WIP per step",
      carryForwardKeyResultIds: [kr],
    };
    expect((await org.outsider.post(`/cycles/${org.cycleId}/retrospectives`, body)).status).toBe(403);
    const created = await org.member.post(`/cycles/${org.cycleId}/retrospectives`, body);
    expect(created.status).toBe(201);
    const revised = await org.member.post(`/cycles/${org.cycleId}/retrospectives`, {
      ...body,
      lessons: "Limit WIP",
    });
    expect(revised.status).toBe(200);
    expect(revised.body.id).toBe(created.body.id);
    const list = await org.leader.get(`/cycles/${org.cycleId}/retrospectives`);
    expect(list.body.items).toEqual([
      expect.objectContaining({ teamId: org.teamId, lessons: "Limit WIP", carryForwardKeyResultIds: [kr] }),
    ]);
    const event = await findMessage(
      GOALS_TOPICS.retrospectives,
      (m) => m.value?.toString().includes(created.body.id) ?? false,
    );
    expect(JSON.parse(event.value?.toString() ?? "{}")).toMatchObject({
      type: "okr.retrospective.submitted.v1",
      data: { teamId: org.teamId, carryForwardKeyResultIds: [kr] },
    });
  });
});
