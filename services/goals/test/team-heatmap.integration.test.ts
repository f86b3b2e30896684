import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { draftObjective, startGoalsWithOrganizations } from "./support.ts";

const {
  service,
  orgs: [org, other],
} = await startGoalsWithOrganizations(["Acme", "Globex"]);

describe("a team's heatmap: the teams below it with their objectives' scores", () => {
  it("lists every team below, parents before children, with scores where scoring has sent them", async () => {
    const mobile = await org.admin.ok("POST", "/teams", { name: "Mobile", parentTeamId: org.teamId });
    const scored = await draftObjective(org, { title: "Ship weekly" });
    const unscored = await draftObjective(org, { title: "Fewer incidents" });
    // Scores reach goals from the scoring service's events; the read model row stands in for one here.
    await service.runtime.db.objectiveScore.create({
      data: {
        objectiveId: scored.id,
        tenantId: org.admin.tenantId,
        cycleId: org.cycleId,
        score: 0.42,
        grade: 0.4,
        band: "yellow",
        atRisk: true,
        policyId: "default",
        policyVersion: 1,
        asOf: new Date(),
      },
    });

    const heatmap = await org.member.ok("GET", `/cycles/${org.cycleId}/teams/${org.rootTeamId}/heatmap`);
    expect(heatmap.cycleId).toBe(org.cycleId);
    expect(heatmap.teams.map((t: { name: string; depth: number }) => [t.name, t.depth])).toEqual([
      ["Platform", 1],
      ["Mobile", 2],
      ["Sales", 1],
    ]);
    const [platform, mobileRow, sales] = heatmap.teams;
    expect(platform).toMatchObject({ teamId: org.teamId, parentTeamId: org.rootTeamId });
    expect(platform.objectives).toEqual([
      { objectiveId: scored.id, title: "Ship weekly", score: 0.42, band: "yellow", atRisk: true },
      { objectiveId: unscored.id, title: "Fewer incidents", score: null, band: null, atRisk: null },
    ]);
    expect(mobileRow).toMatchObject({ teamId: mobile.id, parentTeamId: org.teamId, objectives: [] });
    expect(sales.objectives).toEqual([]);

    // From a sub-team, only what is below it; a leaf team has nothing below.
    const below = await org.member.ok("GET", `/cycles/${org.cycleId}/teams/${org.teamId}/heatmap`);
    expect(below.teams.map((t: { teamId: string }) => t.teamId)).toEqual([mobile.id]);
    expect((await org.member.ok("GET", `/cycles/${org.cycleId}/teams/${mobile.id}/heatmap`)).teams).toEqual(
      [],
    );
  });

  it("answers 404 for another organization's team or cycle and 400 for a malformed id", async () => {
    expect((await org.member.get(`/cycles/${org.cycleId}/teams/${other.rootTeamId}/heatmap`)).status).toBe(
      404,
    );
    expect((await org.member.get(`/cycles/${other.cycleId}/teams/${org.rootTeamId}/heatmap`)).status).toBe(
      404,
    );
    expect((await org.member.get(`/cycles/${org.cycleId}/teams/${randomUUID()}/heatmap`)).status).toBe(404);
    const malformed = await org.member.get(`/cycles/${org.cycleId}/teams/not-a-team/heatmap`);
    expect(malformed.status).toBe(400);
    expect(malformed.headers["content-type"]).toMatch(/problem\+json/);
  });
});
